package dev.indelible.benchmarks;

import dev.indelible.ledger.Durability;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.EventId;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
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
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteOptions;

/**
 * Latency percentiles of one append ({@code Mode.SampleTime}): the ledger under its default and
 * group-commit policies, raw Chronicle Queue, and RocksDB put with fsync. Run at 1 and 4 threads.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
public class AppendLatencyBenchmark {
    static {
        RocksDB.loadLibrary();
    }

    @Param({"ledger-default", "ledger-sync", "chronicle", "rocksdb-sync"})
    public String system;

    private Path dir;
    private Ledger ledger;
    ChronicleQueue queue;
    private Options rocksOptions;
    private RocksDB rocks;
    private WriteOptions sync;
    private final AtomicLong keys = new AtomicLong();
    private final EventData event = EventData.json("selfie.recorded", Workload.RECORD);

    @Setup(Level.Trial)
    public void open() throws RocksDBException {
        dir = Workload.tempDir("latency");
        switch (system) {
            case "ledger-default" -> ledger = Ledger.open(dir, LedgerConfig.defaults());
            case "ledger-sync" -> ledger = Ledger.open(dir, LedgerConfig.builder().durability(Durability.SYNC).build());
            case "chronicle" -> queue = SingleChronicleQueueBuilder.binary(dir).build();
            default -> {
                rocksOptions = new Options().setCreateIfMissing(true);
                rocks = RocksDB.open(rocksOptions, dir.toString());
                sync = new WriteOptions().setSync(true);
            }
        }
    }

    @TearDown(Level.Trial)
    public void close() {
        if (ledger != null) {
            ledger.close();
        }
        if (queue != null) {
            queue.close();
        }
        if (rocks != null) {
            sync.close();
            rocks.close();
            rocksOptions.close();
        }
        Workload.delete(dir);
    }

    @State(Scope.Thread)
    public static class Producer {
        String stream;
        ExcerptAppender appender;

        @Setup(Level.Trial)
        public void create(AppendLatencyBenchmark bench) {
            stream = "selfies-user-" + Thread.currentThread().getId();
            if (bench.queue != null) {
                appender = bench.queue.createAppender();
            }
        }

        @TearDown(Level.Trial)
        public void close() {
            if (appender != null) {
                appender.close();
            }
        }
    }

    @Benchmark
    public Object appendLatency(Producer producer) throws RocksDBException {
        if (ledger != null) {
            return ledger.append(producer.stream, ExpectedVersion.ANY, event.withEventId(EventId.random()));
        }
        if (producer.appender != null) {
            producer.appender.writeBytes(b -> b.write(Workload.RECORD));
            return null;
        }
        long k = keys.incrementAndGet();
        rocks.put(sync, new byte[] {(byte) (k >>> 56), (byte) (k >>> 48), (byte) (k >>> 40), (byte) (k >>> 32),
            (byte) (k >>> 24), (byte) (k >>> 16), (byte) (k >>> 8), (byte) k}, Workload.RECORD);
        return null;
    }
}
