package dev.indelible.projections.internal;

import dev.indelible.projections.Keys;
import dev.indelible.projections.ProjectionException;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Snapshot;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One version directory of a projection: a RocksDB database whose default column family is the
 * projection's state and whose {@code indelible} column family is the engine's bookkeeping
 * (checkpoint, counters, code version), kept out of the digest.
 *
 * <p>The checkpoint is one next {@code global_seq} per partition of the journal, all in the same
 * write as the state they cover:
 * <pre>{@code
 * next_seq       partition 0 (the only one of a single ledger: the layout before partitions)
 * next_seq.<p>   partition p, for p >= 1
 * partitions     P, written only when P > 1 (absent: 1), checked at open against the engine's
 * }</pre>
 *
 * <p>Thread-safe: one writer (the projection's runner or rebuilder), many readers. Readers hold a
 * reference ({@link #acquire}) so a retired version closes only when the last query ends.
 */
final class VersionStore implements AutoCloseable {

    static {
        RocksDB.loadLibrary();
    }

    private static final byte[] META_CF = "indelible".getBytes(StandardCharsets.UTF_8);
    private static final byte[] NEXT_SEQ = "next_seq".getBytes(StandardCharsets.UTF_8);
    private static final byte[] PARTITIONS = "partitions".getBytes(StandardCharsets.UTF_8);
    private static final byte[] APPLIED = "applied".getBytes(StandardCharsets.UTF_8);
    private static final byte[] CODE_VERSION = "code_version".getBytes(StandardCharsets.UTF_8);
    private static final byte[] COMPLETE = "complete".getBytes(StandardCharsets.UTF_8);

    private final String name;
    private final Path dir;
    private final DBOptions options;
    private final RocksDB db;
    private final ColumnFamilyHandle state;
    private final ColumnFamilyHandle meta;
    private final WriteOptions writeOptions;
    private int references = 1;
    private boolean retired;

    private VersionStore(String name, Path dir, DBOptions options, RocksDB db, List<ColumnFamilyHandle> handles,
                         boolean bulk) {
        this.name = name;
        this.dir = dir;
        this.options = options;
        this.db = db;
        this.state = handles.get(0);
        this.meta = handles.get(1);
        // Bulk builds skip the WAL: the version is not live, and it is flushed before it is swapped in.
        this.writeOptions = new WriteOptions().setDisableWAL(bulk);
    }

    /**
     * Opens (or creates) the version at {@code dir}.
     *
     * @param bulk write without the WAL: only for a version being built, never for a live one
     */
    static VersionStore open(Path dir, boolean bulk) throws RocksDBException {
        DBOptions options = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true)
                .setAtomicFlush(true).setParanoidChecks(true).setKeepLogFileNum(2);
        List<ColumnFamilyDescriptor> families = List.of(
                new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY), new ColumnFamilyDescriptor(META_CF));
        List<ColumnFamilyHandle> handles = new ArrayList<>(2);
        try {
            RocksDB db = RocksDB.open(options, dir.toString(), families, handles);
            return new VersionStore(dir.getFileName().toString(), dir, options, db, handles, bulk);
        } catch (RocksDBException e) {
            options.close();
            throw e;
        }
    }

    /**
     * Opens a version without taking its lock, for reading while another process owns it: the state
     * as of the open (RocksDB replays the owner's WAL into memory), never written.
     */
    static VersionStore openReadOnly(Path dir) throws RocksDBException {
        DBOptions options = new DBOptions().setParanoidChecks(true);
        List<ColumnFamilyDescriptor> families = List.of(
                new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY), new ColumnFamilyDescriptor(META_CF));
        List<ColumnFamilyHandle> handles = new ArrayList<>(2);
        try {
            RocksDB db = RocksDB.openReadOnly(options, dir.toString(), families, handles);
            return new VersionStore(dir.getFileName().toString(), dir, options, db, handles, false);
        } catch (RocksDBException e) {
            options.close();
            throw e;
        }
    }

    String name() {
        return name;
    }

    Path dir() {
        return dir;
    }

    /** The partition count this version was built for: 1 when none was recorded (every version before partitions). */
    int partitions() {
        return (int) Math.max(1, metaLong(PARTITIONS));
    }

    /** The checkpoint: each of {@code partitions} partitions' next {@code global_seq} (0 where none is stored). */
    long[] nextSeqs(int partitions) {
        long[] seqs = new long[partitions];
        for (int p = 0; p < partitions; p++) {
            seqs[p] = metaLong(checkpointKey(p));
        }
        return seqs;
    }

    /**
     * Refuses a version built for another partition count than {@code partitions}: every position in
     * its checkpoint would belong to another partition.
     */
    void checkPartitions(String projection, int partitions) {
        int built = partitions();
        if (built != partitions) {
            throw new ProjectionException("projection " + projection + " at " + dir + " was built over " + built
                    + (built == 1 ? " partition" : " partitions") + " of the journal, but it is opened over " + partitions
                    + ": partitions must stay " + built + " for this projection directory (use another directory, or"
                    + " rebuild it there)");
        }
    }

    static byte[] checkpointKey(int partition) {
        return partition == 0 ? NEXT_SEQ : ("next_seq." + partition).getBytes(StandardCharsets.UTF_8);
    }

    long applied() {
        return metaLong(APPLIED);
    }

    long codeVersion() {
        return metaLong(CODE_VERSION);
    }

    boolean complete() {
        return metaLong(COMPLETE) == 1;
    }

    /** A batch to apply events into: reads see this version's state plus the batch. */
    BatchWriter newBatch() {
        return new BatchWriter(db, state);
    }

    /** Commits the batch's state together with every partition's checkpoint, in one atomic write. */
    void commit(BatchWriter batch, long[] nextSeqs, long applied) throws RocksDBException {
        try (WriteBatch writes = new WriteBatch()) {
            batch.drainTo(writes);
            for (int p = 0; p < nextSeqs.length; p++) {
                writes.put(meta, checkpointKey(p), Keys.encodeLong(nextSeqs[p]));
            }
            writes.put(meta, APPLIED, Keys.encodeLong(applied));
            putPartitions(writes, nextSeqs.length);
            db.write(writeOptions, writes);
        }
    }

    /** Records what built this version, over how many partitions; called once, when the build validated. */
    void markComplete(int codeVersion, int partitions) throws RocksDBException {
        try (WriteBatch writes = new WriteBatch()) {
            putPartitions(writes, partitions);
            db.write(writeOptions, writes);
        }
        db.put(meta, writeOptions, CODE_VERSION, Keys.encodeLong(codeVersion));
        db.put(meta, writeOptions, COMPLETE, Keys.encodeLong(1));
    }

    /** One partition writes nothing: its layout stays the one every earlier release wrote and reads. */
    private void putPartitions(WriteBatch writes, int partitions) throws RocksDBException {
        if (partitions > 1) {
            writes.put(meta, PARTITIONS, Keys.encodeLong(partitions));
        }
    }

    void setCodeVersion(int codeVersion) throws RocksDBException {
        db.put(meta, writeOptions, CODE_VERSION, Keys.encodeLong(codeVersion));
    }

    /** Writes memtables to SST files: required before a version built without the WAL goes live. */
    void flush() throws RocksDBException {
        try (FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
            db.flush(flush, List.of(state, meta));
        }
    }

    /** Reads every block and checks its checksum. */
    void verifyChecksums() throws RocksDBException {
        db.verifyChecksum();
    }

    /** A consistent snapshot for one query; close it to release. */
    SnapshotState snapshot() {
        Snapshot snapshot = db.getSnapshot();
        ReadOptions read = new ReadOptions().setSnapshot(snapshot);
        return new SnapshotState(name, db, state, meta, snapshot, read);
    }

    /** SHA-256 over the state column family in key order, at a snapshot. */
    String digest() {
        try (SnapshotState snap = snapshot()) {
            return VersionDigest.of(snap);
        }
    }

    static void checkIterator(RocksIterator it) {
        try {
            it.status();
        } catch (RocksDBException e) {
            throw new ProjectionException("reading projection state failed: " + e.getMessage(), e);
        }
    }

    /** Takes a reference for a query; {@code false} when the version has been retired meanwhile. */
    synchronized boolean acquire() {
        if (retired) {
            return false;
        }
        references++;
        return true;
    }

    synchronized void release() {
        if (--references == 0) {
            closeNow();
        }
    }

    /** No new queries; closes when the last one in flight releases. */
    @Override
    public synchronized void close() {
        if (!retired) {
            retired = true;
            release();
        }
    }

    private void closeNow() {
        writeOptions.close();
        state.close();
        meta.close();
        db.close();
        options.close();
    }

    private long metaLong(byte[] key) {
        try {
            return Keys.decodeLong(db.get(meta, key));
        } catch (RocksDBException e) {
            throw new ProjectionException("reading the checkpoint of " + dir + " failed: " + e.getMessage(), e);
        }
    }
}
