package dev.indelible.projections.internal;

import dev.indelible.projections.Keys;
import dev.indelible.projections.ProjectionException;
import dev.indelible.projections.ProjectionState;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Snapshot;

import java.util.Arrays;
import java.util.function.Function;

/** A {@link ProjectionState} over one RocksDB snapshot. Not thread-safe: one query's thread. */
final class SnapshotState implements ProjectionState, AutoCloseable {

    private final String versionName;
    private final RocksDB db;
    private final ColumnFamilyHandle state;
    private final ColumnFamilyHandle meta;
    private final Snapshot snapshot;
    private final ReadOptions read;

    SnapshotState(String versionName, RocksDB db, ColumnFamilyHandle state, ColumnFamilyHandle meta,
                  Snapshot snapshot, ReadOptions read) {
        this.versionName = versionName;
        this.db = db;
        this.state = state;
        this.meta = meta;
        this.snapshot = snapshot;
        this.read = read;
    }

    @Override
    public byte[] get(byte[] key) {
        try {
            return db.get(state, read, key);
        } catch (RocksDBException e) {
            throw new ProjectionException("reading " + versionName + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void scan(byte[] prefix, byte[] from, EntryVisitor visitor) {
        try (RocksIterator it = iterator()) {
            byte[] start = from != null && Arrays.compareUnsigned(from, prefix) > 0 ? from : prefix;
            for (it.seek(start); it.isValid(); it.next()) {
                byte[] key = it.key();
                if (!startsWith(key, prefix) || !visitor.visit(key, it.value())) {
                    break;
                }
            }
            VersionStore.checkIterator(it);
        }
    }

    @Override
    public long position() {
        return position(0);
    }

    @Override
    public long position(int partition) {
        try {
            return Keys.decodeLong(db.get(meta, read, VersionStore.checkpointKey(partition)));
        } catch (RocksDBException e) {
            throw new ProjectionException("reading " + versionName + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public String versionName() {
        return versionName;
    }

    RocksIterator iterator() {
        return db.newIterator(state, read);
    }

    /**
     * Hands {@code reader} an iterator for one pass over the whole state: its blocks are read
     * ahead and not kept in the block cache, where they would evict what queries use.
     */
    <T> T readOnce(Function<RocksIterator, T> reader) {
        try (ReadOptions once = new ReadOptions().setSnapshot(snapshot).setFillCache(false).setReadaheadSize(2 << 20);
             RocksIterator it = db.newIterator(state, once)) {
            return reader.apply(it);
        }
    }

    private static boolean startsWith(byte[] key, byte[] prefix) {
        return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }

    @Override
    public void close() {
        read.close();
        db.releaseSnapshot(snapshot);
    }
}
