package dev.indelible.ledger.internal;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Event id to journal address, for idempotency: an open-addressing table of two {@code long}s
 * per slot (a 64-bit fingerprint of the 128-bit id, and the address of the record holding it).
 * 16 bytes a slot at most 3/4 full: about 10 million ids in 256 MiB of heap, no object per id.
 *
 * <p>A fingerprint match is only a candidate: the caller confirms it against the record in the
 * journal, so two ids that share a fingerprint are told apart, and a slot is never trusted alone.
 *
 * <p>A large table doubles in the background ({@link #growConcurrently}) once half full, so no
 * append waits for a rehash of millions of slots; {@link #put} doubles it at once only when the
 * background growth has not finished by the time the table is 3/4 full.
 *
 * <p>Not thread-safe: guarded by the ledger's write lock.
 */
final class EventIdIndex {
    private static final int MIN_CAPACITY = 1 << 10;
    /** Below this many slots a growth takes well under a millisecond: done at once by {@link #put}. */
    static final int BACKGROUND_GROWTH_CAPACITY = 1 << 16;
    private static final long EMPTY = 0;
    private static final int CHUNK_LONGS = 1 << 16;

    private long[] slots;
    private int mask;
    private int size;
    /** The ids put since a background growth began, which its copies of the table may lack; null when none runs. */
    private PutLog growthLog;

    EventIdIndex() {
        this(MIN_CAPACITY);
    }

    private EventIdIndex(int capacity) {
        slots = new long[capacity * 2];
        mask = capacity - 1;
    }

    int size() {
        return size;
    }

    /** Bytes of heap the table holds. */
    long heapBytes() {
        return 16L + 8L * slots.length;
    }

    static long fingerprint(long mostSignificant, long leastSignificant) {
        long h = mix(mostSignificant ^ mix(leastSignificant + 0x9E3779B97F4A7C15L));
        return h == EMPTY ? 1 : h;
    }

    /** Remembers that the record at {@code address} holds an id with this fingerprint. */
    void put(long fingerprint, long address) {
        if ((size + 1) * 4L > (mask + 1) * 3L) {
            grow();
        }
        if (insert(slots, mask, fingerprint, address + 1)) {
            size++;
            if (growthLog != null) {
                growthLog.add(fingerprint, address + 1);
            }
        }
    }

    /** Whether a background growth should start: the table is large and half full, and none runs. */
    boolean growthDue() {
        return growthLog == null && mask + 1 >= BACKGROUND_GROWTH_CAPACITY && size * 2L >= mask + 1;
    }

    /**
     * Doubles the table while appends go on, for a caller that holds no lock: the larger table is
     * filled from copies of this one taken a chunk at a time under {@code lock}, then from the ids
     * put meanwhile, and replaces it under the lock. Slots only fill, so every id is in a copy or
     * in the log, and an id in both is stored once. Returns false when no growth was due, or a
     * put doubled the table first.
     */
    boolean growConcurrently(Lock lock) {
        long[] from;
        lock.lock();
        try {
            if (!growthDue()) {
                return false;
            }
            from = slots;
        } finally {
            lock.unlock();
        }
        // Room for every put until the table is 3/4 full, allocated here rather than by appends.
        PutLog log = new PutLog(from.length / 4 + 2);
        lock.lock();
        try {
            if (slots != from || !growthDue()) {
                return false;
            }
            growthLog = log;
        } finally {
            lock.unlock();
        }
        try {
            long[] to = new long[from.length * 2];
            int toMask = from.length - 1;
            int filled = 0;
            long[] chunk = new long[CHUNK_LONGS];
            for (int at = 0; at < from.length; at += CHUNK_LONGS) {
                int longs = Math.min(CHUNK_LONGS, from.length - at);
                lock.lock();
                try {
                    if (slots != from) {
                        return false;
                    }
                    System.arraycopy(from, at, chunk, 0, longs);
                } finally {
                    lock.unlock();
                }
                filled += insertAll(to, toMask, chunk, longs);
            }
            lock.lock();
            try {
                if (slots != from) {
                    return false;
                }
                filled += insertAll(to, toMask, log.entries, log.length);
                if (filled != size) {
                    throw new IllegalStateException("event id index: the grown table holds " + filled
                        + " ids where the table holds " + size);
                }
                slots = to;
                mask = toMask;
                return true;
            } finally {
                lock.unlock();
            }
        } finally {
            lock.lock();
            try {
                if (growthLog == log) {
                    growthLog = null;
                }
            } finally {
                lock.unlock();
            }
        }
    }

    /** Stores a slot's pair unless the table holds it already; returns whether it was added. */
    private static boolean insert(long[] table, int tableMask, long fingerprint, long storedAddress) {
        int i = indexFor(fingerprint, tableMask);
        while (table[2 * i] != EMPTY) {
            if (table[2 * i] == fingerprint && table[2 * i + 1] == storedAddress) {
                return false;
            }
            i = (i + 1) & tableMask;
        }
        table[2 * i] = fingerprint;
        table[2 * i + 1] = storedAddress;
        return true;
    }

    private static int insertAll(long[] table, int tableMask, long[] pairs, int longs) {
        int added = 0;
        for (int i = 0; i < longs; i += 2) {
            if (pairs[i] != EMPTY && insert(table, tableMask, pairs[i], pairs[i + 1])) {
                added++;
            }
        }
        return added;
    }

    /** Slot pairs in the order they were put. */
    private static final class PutLog {
        long[] entries;
        int length;

        PutLog(int longs) {
            entries = new long[longs];
        }

        void add(long fingerprint, long storedAddress) {
            if (length == entries.length) {
                entries = Arrays.copyOf(entries, length * 2);
            }
            entries[length++] = fingerprint;
            entries[length++] = storedAddress;
        }
    }

    /**
     * Calls {@code candidates} with every address stored under {@code fingerprint} until it
     * returns true; returns that address, or -1 when none matched.
     */
    long find(long fingerprint, AddressPredicate candidates) {
        int i = indexFor(fingerprint);
        while (slots[2 * i] != EMPTY) {
            if (slots[2 * i] == fingerprint) {
                long address = slots[2 * i + 1] - 1;
                if (candidates.test(address)) {
                    return address;
                }
            }
            i = (i + 1) & mask;
        }
        return -1;
    }

    /** Tests a candidate address: does the record there really hold the id? */
    @FunctionalInterface
    interface AddressPredicate {
        boolean test(long address);
    }

    /**
     * Under the lock: the table as it is now, to be written while appends go on. Slots only go
     * from empty to filled, and a record appended later has a higher address, so the table as of
     * now is the later table without the slots holding higher addresses; a growth leaves the old
     * array, which the snapshot keeps, untouched.
     */
    Snapshot snapshot(long lastAddress) {
        return new Snapshot(slots, mask + 1, size, lastAddress);
    }

    /** Writes the table as it is (no appends may run): for tests and tools. */
    void writeTo(DataOutput out) throws IOException {
        snapshot(Long.MAX_VALUE).writeTo(out, new ReentrantLock());
    }

    /** The table as of one moment, written slot for slot so a load is a bulk copy with no rehashing. */
    static final class Snapshot {
        private final long[] slots;
        private final int capacity;
        private final int size;
        private final long lastAddress;

        private Snapshot(long[] slots, int capacity, int size, long lastAddress) {
            this.slots = slots;
            this.capacity = capacity;
            this.size = size;
            this.lastAddress = lastAddress;
        }

        /** Copies one chunk at a time under {@code lock}, so appenders wait for a chunk, not the table. */
        void writeTo(DataOutput out, Lock lock) throws IOException {
            out.writeInt(capacity);
            out.writeInt(size);
            long[] chunk = new long[CHUNK_LONGS];
            byte[] bytes = new byte[CHUNK_LONGS * 8];
            int filled = 0;
            for (int from = 0; from < slots.length; from += CHUNK_LONGS) {
                int longs = Math.min(CHUNK_LONGS, slots.length - from);
                lock.lock();
                try {
                    System.arraycopy(slots, from, chunk, 0, longs);
                } finally {
                    lock.unlock();
                }
                for (int i = 0; i < longs; i += 2) {
                    if (chunk[i] == EMPTY) {
                        continue;
                    }
                    if (chunk[i + 1] - 1 > lastAddress) {
                        chunk[i] = EMPTY;
                        chunk[i + 1] = EMPTY;
                    } else {
                        filled++;
                    }
                }
                ByteBuffer.wrap(bytes).asLongBuffer().put(chunk, 0, longs);
                out.write(bytes, 0, longs * 8);
            }
            if (filled != size) {
                throw new IOException("event id index: " + filled + " ids up to address " + lastAddress
                    + ", expected " + size + "; the checkpoint is not written");
            }
        }
    }

    static EventIdIndex readFrom(DataInput in) throws IOException {
        int capacity = in.readInt();
        int count = in.readInt();
        if (capacity < MIN_CAPACITY || Integer.bitCount(capacity) != 1 || count < 0 || count * 4L > capacity * 3L) {
            throw new IOException("corrupt event id index: capacity " + capacity + ", size " + count);
        }
        EventIdIndex index = new EventIdIndex(capacity);
        byte[] chunk = new byte[CHUNK_LONGS * 8];
        long[] slots = index.slots;
        for (int from = 0; from < slots.length; from += CHUNK_LONGS) {
            int longs = Math.min(CHUNK_LONGS, slots.length - from);
            in.readFully(chunk, 0, longs * 8);
            ByteBuffer.wrap(chunk).asLongBuffer().get(slots, from, longs);
        }
        index.size = count;
        return index;
    }

    private int indexFor(long fingerprint) {
        return indexFor(fingerprint, mask);
    }

    private static int indexFor(long fingerprint, int tableMask) {
        return (int) (fingerprint ^ (fingerprint >>> 32)) & tableMask;
    }

    /** Doubles the table at once; a background growth under way is abandoned. */
    private void grow() {
        long[] grown = new long[slots.length * 2];
        int grownMask = slots.length - 1;
        size = insertAll(grown, grownMask, slots, slots.length);
        slots = grown;
        mask = grownMask;
        growthLog = null;
    }

    /** Stafford's variant 13 of the MurmurHash3 finaliser: spreads every input bit. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
