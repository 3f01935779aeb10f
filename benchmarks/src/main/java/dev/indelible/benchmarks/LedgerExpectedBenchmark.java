package dev.indelible.benchmarks;

import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.EventId;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/** Append with an exact expected version to a stream per thread: the uniqueness path, checked every time. */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
public class LedgerExpectedBenchmark {
    private Path dir;
    private Ledger ledger;
    private final EventData event = EventData.json("selfie.recorded", Workload.RECORD);

    @Setup(Level.Trial)
    public void open() {
        dir = Workload.tempDir("expected");
        ledger = Ledger.open(dir, LedgerConfig.defaults());
    }

    @TearDown(Level.Trial)
    public void close() {
        ledger.close();
        Workload.delete(dir);
    }

    @State(Scope.Thread)
    public static class Stream {
        String name;
        long version = -1;

        @Setup(Level.Trial)
        public void name() {
            name = "account-" + Thread.currentThread().getId() + "-" + System.nanoTime();
        }
    }

    @Benchmark
    public Object indelibleAppendExpected(Stream stream) {
        AppendResult result = ledger.append(stream.name, stream.version, event.withEventId(EventId.random()));
        if (!(result instanceof AppendResult.Appended)) {
            throw new IllegalStateException("the expected version was wrong: " + result);
        }
        stream.version++;
        return result;
    }
}
