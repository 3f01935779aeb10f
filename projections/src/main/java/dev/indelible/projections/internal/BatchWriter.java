package dev.indelible.projections.internal;

import dev.indelible.projections.Keys;
import dev.indelible.projections.ProjectionBatch;
import dev.indelible.projections.ProjectionException;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The {@link ProjectionBatch} handed to {@code apply}: writes collect in a map (reads see them before
 * the commit), and only each key's last value reaches RocksDB. A counter bumped by every event of a
 * batch is read once and written once per batch, not once per event; that, and one JNI call per key
 * instead of two per operation, is what makes rebuilds fast. Not thread-safe: used by one runner thread.
 */
final class BatchWriter implements ProjectionBatch, AutoCloseable {

    private static final byte[] DELETED = new byte[0];
    private static final Key[] NO_KEYS = new Key[0];

    private final RocksDB db;
    private final ColumnFamilyHandle state;
    private final ReadOptions read = new ReadOptions();
    /** Each key maps to itself and carries its pending value: the sort then compares keys, not entries. */
    private final Map<Key, Key> pending = new HashMap<>();

    BatchWriter(RocksDB db, ColumnFamilyHandle state) {
        this.db = db;
        this.state = state;
    }

    @Override
    public byte[] get(byte[] key) {
        Key held = pending.get(new Key(key));
        if (held != null) {
            return held.value == DELETED ? null : held.value.clone();
        }
        return stored(key);
    }

    /** One key hashed and no copies of the counter: rebuilds bump counters for most events. */
    @Override
    public long add(byte[] key, long delta) {
        Key probe = new Key(key);
        Key counter = pending.get(probe);
        long value;
        if (counter == null) {
            value = Keys.decodeLong(stored(key)) + delta;
            counter = probe.copy();
            pending.put(counter, counter);
        } else {
            value = (counter.value == DELETED ? 0 : Keys.decodeLong(counter.value)) + delta;
        }
        counter.value = Keys.encodeLong(value);
        return value;
    }

    private byte[] stored(byte[] key) {
        try {
            return db.get(state, read, key);
        } catch (RocksDBException e) {
            throw new ProjectionException("reading projection state failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void put(byte[] key, byte[] value) {
        hold(key, value.clone());
    }

    @Override
    public void delete(byte[] key) {
        hold(key, DELETED);
    }

    private void hold(byte[] key, byte[] value) {
        Key held = new Key(key.clone());
        Key previous = pending.putIfAbsent(held, held);
        (previous == null ? held : previous).value = value;
    }

    /**
     * Moves every pending write into {@code writes}, in key order, and forgets them. Sorted inserts
     * let RocksDB's skip list reuse its last insert position instead of searching from the top.
     */
    void drainTo(WriteBatch writes) throws RocksDBException {
        Key[] sorted = pending.values().toArray(NO_KEYS);
        Arrays.sort(sorted);
        for (Key key : sorted) {
            if (key.value == DELETED) {
                writes.delete(state, key.bytes);
            } else {
                writes.put(state, key.bytes, key.value);
            }
        }
        pending.clear();
    }

    @Override
    public void close() {
        pending.clear();
        read.close();
    }

    private static final class Key implements Comparable<Key> {
        final byte[] bytes;
        private final int hash;
        /** The first 8 bytes, big-endian, zero-padded: most comparisons end here. */
        private final long prefix;
        /** The pending value, or {@link #DELETED}. */
        byte[] value;

        Key(byte[] bytes) {
            this.bytes = bytes;
            this.hash = Arrays.hashCode(bytes);
            long head = 0;
            for (int i = 0; i < 8; i++) {
                head = head << 8 | (i < bytes.length ? bytes[i] & 0xff : 0);
            }
            this.prefix = head;
        }

        private Key(byte[] bytes, int hash, long prefix) {
            this.bytes = bytes;
            this.hash = hash;
            this.prefix = prefix;
        }

        /** This key with its own copy of the bytes, to be held past the caller's array. */
        Key copy() {
            return new Key(bytes.clone(), hash, prefix);
        }

        /** Unsigned byte order, as RocksDB's default comparator. */
        @Override
        public int compareTo(Key other) {
            int byPrefix = Long.compareUnsigned(prefix, other.prefix);
            return byPrefix != 0 ? byPrefix : Arrays.compareUnsigned(bytes, other.bytes);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Key key && Arrays.equals(bytes, key.bytes);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
