package dev.indelible.benchmarks;

import dev.indelible.ledger.AppendReceipt;
import dev.indelible.ledger.Durability;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.EventId;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.projections.reference.DomainEvents;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
 * The ledger's blocking append, under each durability policy, one event or 100 per call; run at
 * 1, 2, 4 and 8 threads ({@code -t}). Scores are appends (calls) per second: multiply by the batch
 * size for events.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
public class LedgerAppendBenchmark {

    @Param({"MEMORY_MAPPED", "SYNC"})
    public Durability durability;

    @Param({"1", "100"})
    public int batch;

    private Path dir;
    private Ledger ledger;
    private List<EventData> events;
    /** Keeps {@link #warmIdGenerator}'s ids from being optimised away. */
    public long warmed;

    @Setup(Level.Trial)
    public void open() {
        dir = Workload.tempDir("append");
        // As the CLI and the server open it: the domain types' validators and rules are registered,
        // so the append of another type pays their lookup.
        ledger = Ledger.open(dir, DomainEvents.register(LedgerConfig.builder()).durability(durability).build());
        events = new ArrayList<>(batch);
        for (int i = 0; i < batch; i++) {
            events.add(EventData.json("selfie.recorded", Workload.RECORD));
        }
        warmIdGenerator();
    }

    /**
     * Compiles the caller's id generator before the first iteration: until the JIT has compiled
     * its SecureRandom it allocates a few bytes per id, which the slower appends would otherwise
     * count in their first iterations and {@link #callerEvent}, 20 times faster, in its warm-up.
     */
    private void warmIdGenerator() {
        long mix = 0;
        for (int i = 0; i < 4_000_000; i++) {
            mix ^= EventId.random().hashCode();
        }
        warmed = mix;
    }

    @TearDown(Level.Trial)
    public void close() {
        ledger.close();
        Workload.delete(dir);
    }

    /** Per thread: its own stream, and its events with fresh ids for every call. */
    @State(Scope.Thread)
    public static class Producer {
        String stream;
        long calls;
        final AppendReceipt receipt = new AppendReceipt();

        @Setup(Level.Trial)
        public void name() {
            stream = "selfies-user-" + Thread.currentThread().getId();
        }
    }

    @Benchmark
    public Object indelibleAppend(Producer producer) {
        // A fresh id per event: the same ids again would be retries, answered without writing.
        producer.calls++;
        if (batch == 1) {
            return ledger.append(producer.stream, ExpectedVersion.ANY, events.get(0).withEventId(EventId.random()));
        }
        List<EventData> fresh = new ArrayList<>(batch);
        for (EventData e : events) {
            fresh.add(e.withEventId(EventId.random()));
        }
        return ledger.append(producer.stream, ExpectedVersion.ANY, fresh);
    }

    /**
     * {@link #indelibleAppend} through the API that fills a caller-owned receipt instead of
     * returning a new result, so that the ledger allocates nothing; one event per call.
     */
    @Benchmark
    public long indelibleAppendReceipt(Producer producer, ThreadAllocation allocation) {
        allocation.appendingThreadCalls++;
        return ledger.append(producer.stream, ExpectedVersion.ANY, events.get(0).withEventId(EventId.random()),
            producer.receipt).firstGlobalSeq();
    }

    /**
     * What the caller of a batch-1 {@link #indelibleAppend} allocates itself (the event with a
     * fresh id), so its {@code -prof gc} figure can be told from the ledger's.
     */
    @Benchmark
    public Object callerEvent(ThreadAllocation allocation) {
        allocation.appendingThreadCalls++;
        return events.get(0).withEventId(EventId.random());
    }
}
