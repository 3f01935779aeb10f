package dev.indelible.ledger.internal;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.ByteBuffer;
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
 * <p>Not thread-safe: guarded by the ledger's write lock.
 */
final class EventIdIndex {
    private static final int MIN_CAPACITY = 1 << 10;
    private static final long EMPTY = 0;
    private static final int CHUNK_LONGS = 1 << 16;

    private long[] slots;
    private int mask;
    private int size;

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
        int i = indexFor(fingerprint);
        while (slots[2 * i] != EMPTY) {
            if (slots[2 * i] == fingerprint && slots[2 * i + 1] == address + 1) {
                return;
            }
            i = (i + 1) & mask;
        }
        slots[2 * i] = fingerprint;
        slots[2 * i + 1] = address + 1;
        size++;
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
        return (int) (fingerprint ^ (fingerprint >>> 32)) & mask;
    }

    private void grow() {
        long[] old = slots;
        slots = new long[old.length * 2];
        mask = (slots.length / 2) - 1;
        size = 0;
        for (int i = 0; i < old.length; i += 2) {
            if (old[i] != EMPTY) {
                put(old[i], old[i + 1] - 1);
            }
        }
    }

    /** Stafford's variant 13 of the MurmurHash3 finaliser: spreads every input bit. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
