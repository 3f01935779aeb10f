package dev.indelible.benchmarks;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * A key-value store as the baseline: RocksDB put with its WAL (no fsync), put with an fsync per
 * write, and 1,000-key write batches with the WAL off (the ceiling for bulk rebuilds; the score
 * counts batches, x1,000 for keys).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
public class RocksDbBenchmark {
    /** Keys per {@link #rocksdbBatchNoWal} call. */
    static final int BATCH_KEYS = 1_000;

    static {
        RocksDB.loadLibrary();
    }

    private final AtomicLong keys = new AtomicLong();
    private Path dir;
    private Options options;
    private RocksDB db;
    private WriteOptions wal;
    private WriteOptions sync;
    private WriteOptions noWal;

    @Setup(Level.Trial)
    public void open() throws RocksDBException {
        dir = Workload.tempDir("rocksdb");
        options = new Options().setCreateIfMissing(true);
        db = RocksDB.open(options, dir.toString());
        wal = new WriteOptions();
        sync = new WriteOptions().setSync(true);
        noWal = new WriteOptions().setDisableWAL(true);
    }

    @TearDown(Level.Trial)
    public void close() {
        wal.close();
        sync.close();
        noWal.close();
        db.close();
        options.close();
        Workload.delete(dir);
    }

    private byte[] nextKey() {
        long k = keys.incrementAndGet();
        byte[] key = new byte[8];
        for (int i = 0; i < 8; i++) {
            key[i] = (byte) (k >>> (56 - 8 * i));
        }
        return key;
    }

    @Benchmark
    public void rocksdbPut() throws RocksDBException {
        db.put(wal, nextKey(), Workload.RECORD);
    }

    @Benchmark
    public void rocksdbPutSync() throws RocksDBException {
        db.put(sync, nextKey(), Workload.RECORD);
    }

    @Benchmark
    public void rocksdbBatchNoWal() throws RocksDBException {
        try (WriteBatch batch = new WriteBatch()) {
            for (int i = 0; i < BATCH_KEYS; i++) {
                batch.put(nextKey(), Workload.RECORD);
            }
            db.write(noWal, batch);
        }
    }
}
