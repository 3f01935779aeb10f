package dev.indelible.projections.internal;

import dev.indelible.projections.ProjectionBatch;
import dev.indelible.projections.ProjectionException;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatchWithIndex;

/**
 * The {@link ProjectionBatch} handed to {@code apply}: writes go to an indexed batch so reads see
 * them before the commit. Not thread-safe: used by one runner thread.
 */
final class BatchWriter implements ProjectionBatch, AutoCloseable {

    private final RocksDB db;
    private final ColumnFamilyHandle state;
    private final WriteBatchWithIndex writes = new WriteBatchWithIndex(true);
    private final ReadOptions read = new ReadOptions();

    BatchWriter(RocksDB db, ColumnFamilyHandle state) {
        this.db = db;
        this.state = state;
    }

    @Override
    public byte[] get(byte[] key) {
        try {
            return writes.getFromBatchAndDB(db, state, read, key);
        } catch (RocksDBException e) {
            throw new ProjectionException("reading projection state failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void put(byte[] key, byte[] value) {
        try {
            writes.put(state, key, value);
        } catch (RocksDBException e) {
            throw new ProjectionException("writing projection state failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void delete(byte[] key) {
        try {
            writes.delete(state, key);
        } catch (RocksDBException e) {
            throw new ProjectionException("writing projection state failed: " + e.getMessage(), e);
        }
    }

    WriteBatchWithIndex writes() {
        return writes;
    }

    @Override
    public void close() {
        writes.close();
        read.close();
    }
}
