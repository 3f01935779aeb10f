package dev.indelible.benchmarks;

import dev.indelible.ledger.EventData;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/** Open a journal of 10,000,000 events (from its index checkpoint) and make the first append. */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
public class ReopenBenchmark {

    @Param({"10000000"})
    public long events;

    private Path dir;
    private Ledger opened;

    @Setup(Level.Trial)
    public void build() {
        dir = Journals.plain(events);
    }

    @TearDown(Level.Invocation)
    public void close() {
        if (opened != null) {
            opened.close();
            opened = null;
        }
    }

    @Benchmark
    public Object reopen() {
        opened = Ledger.open(dir, LedgerConfig.defaults());
        return opened.append("reopen", ExpectedVersion.ANY, EventData.json("selfie.recorded", Workload.RECORD));
    }
}
