package dev.indelible.benchmarks;

import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.Durability;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.EventId;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
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

/**
 * Durable appends per second under the group-commit sync policy: each producer keeps up to
 * {@code inFlight} appends outstanding and waits for the oldest when the window is full, so in a
 * steady state the score is the rate at which appends become durable. Run at 1 and 4 threads.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
public class LedgerAsyncBenchmark {

    @Param({"1", "64", "1024"})
    public int inFlight;

    private Path dir;
    Ledger ledger;

    @Setup(Level.Trial)
    public void open() {
        dir = Workload.tempDir("async");
        ledger = Ledger.open(dir, LedgerConfig.builder().durability(Durability.SYNC).build());
    }

    @TearDown(Level.Trial)
    public void close() {
        ledger.close();
        Workload.delete(dir);
    }

    @State(Scope.Thread)
    public static class Producer {
        final ArrayDeque<CompletableFuture<AppendResult>> window = new ArrayDeque<>();
        final EventData event = EventData.json("selfie.recorded", Workload.RECORD);
        String stream;

        @Setup(Level.Trial)
        public void name() {
            stream = "selfies-user-" + Thread.currentThread().getId();
        }

        /** Appends one event, first waiting for the oldest outstanding append when {@code inFlight} are out. */
        Object submit(Ledger ledger, int inFlight) {
            if (window.size() >= inFlight) {
                window.poll().join();
            }
            CompletableFuture<AppendResult> future =
                ledger.appendAsync(stream, ExpectedVersion.ANY, event.withEventId(EventId.random()));
            window.add(future);
            return future;
        }

        /** Waits for everything outstanding, so no append crosses into the next iteration. */
        @TearDown(Level.Iteration)
        public void drain() {
            while (!window.isEmpty()) {
                window.poll().join();
            }
        }
    }

    @Benchmark
    public Object indelibleAppendAsync(Producer producer) {
        return producer.submit(ledger, inFlight);
    }
}
