package dev.indelible.benchmarks;

import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.Durability;
import dev.indelible.ledger.EventId;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * How long an {@code appendAsync} takes to become durable under the group-commit sync policy while
 * the journal is busy: three producers keep 1,024 appends in flight each ({@code asyncLoad}), and a
 * fourth appends one at a time and waits for its completion ({@code asyncCompletionLatency}), whose
 * sampled times are the completion latency. Group {@code asyncCompletion}, 4 threads.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Group)
public class LedgerAsyncLatencyBenchmark {
    static final int IN_FLIGHT = 1024;

    private Path dir;
    Ledger ledger;

    @Setup(Level.Trial)
    public void open() {
        dir = Workload.tempDir("async-latency");
        ledger = Ledger.open(dir, LedgerConfig.builder().durability(Durability.SYNC).build());
    }

    @TearDown(Level.Trial)
    public void close() {
        ledger.close();
        Workload.delete(dir);
    }

    @Benchmark
    @Group("asyncCompletion")
    @GroupThreads(1)
    public AppendResult asyncCompletionLatency(LedgerAsyncBenchmark.Producer producer) {
        return ledger.appendAsync(producer.stream, ExpectedVersion.ANY, producer.event.withEventId(EventId.random())).join();
    }

    @Benchmark
    @Group("asyncCompletion")
    @GroupThreads(3)
    public Object asyncLoad(LedgerAsyncBenchmark.Producer producer) {
        return producer.submit(ledger, IN_FLIGHT);
    }
}
