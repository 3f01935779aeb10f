package dev.indelible.ledger.internal;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * Event id to journal address, for idempotency: an open-addressing table of two {@code long}s
 * per slot (a 64-bit fingerprint of the 128-bit id, and the address of the record holding it).
 * 16 bytes a slot at most 3/4 full: 10 million ids in 256 MiB, no object per id. The table
 * is off the heap ({@link OffHeapLongs}): it grows with the journal, so on the heap it would set
 * the ledger's {@code -Xmx}, and every doubling would leave the old table as garbage.
 *
 * <p>A fingerprint match is only a candidate: the caller confirms it against the record in the
 * journal, so two ids that share a fingerprint are told apart, and a slot is never trusted alone.
 *
 * <p>A large table doubles in the background ({@link #growth}) once 5/8 full, so no
 * append waits for a rehash of millions of slots; {@link #put} doubles it at once only when the
 * background growth has not finished by the time the table is 3/4 full. Growing at half full
 * instead held a quarter more memory (44 bytes an id on average against 35) to save half a probe
 * per miss (1.8 slots against 2.3, four to a cache line), and memory is what an open pays for: a
 * new process faults the whole table in, at about 2 ms per MiB on a VM that returns free memory
 * to its host. 10 million ids fit in 256 MiB instead of 512.
 *
 * <p>A table is freed once neither the index nor a {@link Snapshot} holds it; {@link #close} frees
 * the index's own.
 *
 * <p>Not thread-safe: guarded by the ledger's write lock.
 */
final class EventIdIndex implements AutoCloseable {
    private static final int MIN_CAPACITY = 1 << 10;
    /** Below this many slots a growth takes well under a millisecond: done at once by {@link #put}. */
    static final int BACKGROUND_GROWTH_CAPACITY = 1 << 16;
    static final long EMPTY = 0;
    /** Longs copied under the lock at a time (512 KiB), so appenders wait for a chunk, not the table. */
    static final int CHUNK_LONGS = 1 << 16;

    private Table table;
    private int mask;
    private int size;
    /** The ids put since a background growth began, which its copies of the table may lack; null when none runs. */
    private PutLog growthLog;

    EventIdIndex() {
        this(MIN_CAPACITY);
    }

    private EventIdIndex(int capacity) {
        this(new OffHeapLongs(capacity * 2L), capacity);
    }

    private EventIdIndex(OffHeapLongs slots, int capacity) {
        table = new Table(slots);
        mask = capacity - 1;
    }

    /** Slot pairs, and how many holders (the index, snapshots) still read them. Guarded by the lock. */
    private static final class Table {
        final OffHeapLongs longs;
        int holders = 1;

        Table(OffHeapLongs longs) {
            this.longs = longs;
        }

        void release() {
            if (--holders == 0) {
                longs.free();
            }
        }
    }

    int size() {
        return size;
    }

    /** The current table: for tests. */
    OffHeapLongs table() {
        return table.longs;
    }

    /** Bytes the table holds, off the heap. */
    long tableBytes() {
        return 8L * table.longs.length();
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
        if (insert(table.longs, mask, fingerprint, address + 1)) {
            size++;
            if (growthLog != null) {
                growthLog.add(fingerprint, address + 1);
            }
        }
    }

    /** Whether a background growth should start: the table is large and 5/8 full, and none runs. */
    boolean growthDue() {
        return growthLog == null && mask + 1 >= BACKGROUND_GROWTH_CAPACITY && size * 8L >= (mask + 1) * 5L;
    }

    /**
     * Under the lock: a doubling of the table to run beside the appends, or null when none is due.
     * The steps, each under the lock but the allocation and the copies' use:
     * {@link Growth#allocate}, {@link Growth#begin}, the chunks ({@link ChunkedCopy}),
     * {@link Growth#finish}, {@link Growth#end}, then {@link Growth#free}. The larger table is
     * filled from copies of this one, then from the ids put meanwhile, and replaces it. Slots only
     * fill, so every id is in a copy or in the log, and an id in both is stored once.
     */
    Growth growth() {
        return growthDue() ? new Growth(table) : null;
    }

    /** One doubling of the table; see {@link #growth}. Abandoned if a put doubles the table first. */
    final class Growth implements ChunkedCopy {
        private final Table from;
        private final long fromLongs;
        private PutLog log;
        private OffHeapLongs to;
        private EventIdTableFormat.CopyBuffers buffers;
        private long at;
        private int longs;
        private int filled;
        private boolean swapped;

        private Growth(Table from) {
            this.from = from;
            this.fromLongs = from.longs.length();
        }

        /** Outside the lock: room for every put until the table is 3/4 full, and the larger table. */
        void allocate() {
            log = new PutLog(fromLongs / 4 + 2);
            to = new OffHeapLongs(fromLongs * 2);
            buffers = EventIdTableFormat.CopyBuffers.take();
        }

        /** Under the lock: starts logging puts; false when the growth is no longer due. */
        boolean begin() {
            if (table != from || !growthDue()) {
                return false;
            }
            growthLog = log;
            return true;
        }

        @Override
        public boolean copyNext() {
            if (table != from || at >= fromLongs) {
                return false;
            }
            longs = (int) Math.min(CHUNK_LONGS, fromLongs - at);
            from.longs.copyTo(at, buffers.chunk, longs);
            at += longs;
            return true;
        }

        @Override
        public void useCopy() {
            filled += insertAll(to, (int) (fromLongs - 1), buffers.chunk, longs);
        }

        /** Under the lock: adds the ids put meanwhile and swaps the tables; false when abandoned. */
        boolean finish() {
            if (table != from || at < fromLongs || log.overflowed) {
                return false;
            }
            int toMask = (int) (fromLongs - 1);
            filled += insertAll(to, toMask, log.entries, log.length);
            if (filled != size) {
                throw new IllegalStateException("event id index: the grown table holds " + filled
                    + " ids where the table holds " + size);
            }
            table = new Table(to);
            mask = toMask;
            from.release();
            swapped = true;
            return true;
        }

        /** Under the lock, whatever happened: puts are no longer logged for it. */
        void end() {
            if (growthLog == log) {
                growthLog = null;
            }
        }

        /** Outside the lock, after {@link #end}: frees what the growth allocated and did not swap in. */
        void free() {
            if (log != null) {
                log.free();
            }
            if (to != null && !swapped) {
                to.free();
            }
            if (buffers != null) {
                EventIdTableFormat.CopyBuffers.SPARE.set(buffers);
            }
        }
    }

    /** Stores a slot's pair unless the table holds it already; returns whether it was added. */
    private static boolean insert(OffHeapLongs table, int tableMask, long fingerprint, long storedAddress) {
        long i = indexFor(fingerprint, tableMask);
        while (table.get(2 * i) != EMPTY) {
            if (table.get(2 * i) == fingerprint && table.get(2 * i + 1) == storedAddress) {
                return false;
            }
            i = (i + 1) & tableMask;
        }
        table.set(2 * i, fingerprint);
        table.set(2 * i + 1, storedAddress);
        return true;
    }

    private static int insertAll(OffHeapLongs table, int tableMask, long[] pairs, int longs) {
        int added = 0;
        for (int i = 0; i < longs; i += 2) {
            if (pairs[i] != EMPTY && insert(table, tableMask, pairs[i], pairs[i + 1])) {
                added++;
            }
        }
        return added;
    }

    /** {@link #insertAll(OffHeapLongs, int, long[], int)} from pairs off the heap: a table or a put log. */
    private static int insertAll(OffHeapLongs table, int tableMask, OffHeapLongs pairs, long longs) {
        int added = 0;
        for (long i = 0; i < longs; i += 2) {
            if (pairs.get(i) != EMPTY && insert(table, tableMask, pairs.get(i), pairs.get(i + 1))) {
                added++;
            }
        }
        return added;
    }

    /**
     * Slot pairs in the order they were put, off the heap. Sized for every put until the table is
     * 3/4 full, when a put doubles it and the log is dropped; should it fill anyway, the growth
     * is abandoned rather than the log grown by an append.
     */
    private static final class PutLog {
        final OffHeapLongs entries;
        long length;
        boolean overflowed;

        PutLog(long longs) {
            entries = new OffHeapLongs(longs);
        }

        void add(long fingerprint, long storedAddress) {
            if (length + 2 > entries.length()) {
                overflowed = true;
                return;
            }
            entries.set(length++, fingerprint);
            entries.set(length++, storedAddress);
        }

        void free() {
            entries.free();
        }
    }

    /**
     * Calls {@code candidates} with every address stored under {@code fingerprint} until it
     * returns true; returns that address, or -1 when none matched.
     */
    long find(long fingerprint, AddressPredicate candidates) {
        OffHeapLongs slots = table.longs;
        long i = indexFor(fingerprint, mask);
        while (slots.get(2 * i) != EMPTY) {
            if (slots.get(2 * i) == fingerprint) {
                long address = slots.get(2 * i + 1) - 1;
                if (candidates.test(address)) {
                    return address;
                }
            }
            i = (i + 1) & mask;
        }
        return -1;
    }

    /** The slots holding an id, counted over the whole table: for checks, not the append path. */
    long filledSlots() {
        long filled = 0;
        for (long i = 0; i < table.longs.length(); i += 2) {
            if (table.longs.get(i) != EMPTY) {
                filled++;
            }
        }
        return filled;
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
     * table, which the snapshot holds until {@link Snapshot#close}, untouched.
     */
    Snapshot snapshot(long lastAddress) {
        table.holders++;
        return new Snapshot(table, mask + 1, size, lastAddress);
    }

    /** Writes the table as it is (no appends may run): for tests and tools. */
    void writeTo(DataOutput out) throws IOException {
        Snapshot snapshot = snapshot(Long.MAX_VALUE);
        try {
            snapshot.writeTo(out, ChunkedCopy::runAlone);
        } finally {
            snapshot.close();
        }
    }

    /** Under the lock: frees the table unless a snapshot still holds it. The index is not used again. */
    @Override
    public void close() {
        if (table != null) {
            table.release();
            table = null;
        }
    }

    /**
     * The table as of one moment, its filled slots written by position, so a load puts each id
     * back in its slot with no rehashing.
     */
    static final class Snapshot implements AutoCloseable {
        private final Table table;
        private final int capacity;
        private final int size;
        private final long lastAddress;

        private Snapshot(Table table, int capacity, int size, long lastAddress) {
            this.table = table;
            this.capacity = capacity;
            this.size = size;
            this.lastAddress = lastAddress;
        }

        /** Writes the capacity, the size, then the filled slots, one chunk copied at a time by {@code chunks}. */
        void writeTo(DataOutput out, ChunkedCopy.Runner chunks) throws IOException {
            out.writeInt(capacity);
            out.writeInt(size);
            EventIdTableFormat.writeSparse(out, table.longs, chunks, lastAddress, size);
        }

        /** Under the lock: lets the table go, freeing it if the index no longer uses it. */
        @Override
        public void close() {
            table.release();
        }
    }

    /**
     * Reads a table written by {@link Snapshot#writeTo}: per chunk of slots, a bitmap of the filled
     * ones, then their pairs. Empty slots, half or more of the table, are not written.
     */
    static EventIdIndex readFrom(DataInput in) throws IOException {
        return readFrom(in, false);
    }

    /** {@code dense}: the first checkpoint format, every slot written. */
    static EventIdIndex readFrom(DataInput in, boolean dense) throws IOException {
        int capacity = in.readInt();
        int count = in.readInt();
        if (capacity < MIN_CAPACITY || Integer.bitCount(capacity) != 1 || count < 0 || count * 4L > capacity * 3L) {
            throw new IOException("corrupt event id index: capacity " + capacity + ", size " + count);
        }
        // Both formats write every slot, empty ones as zeros: the table's memory is touched once.
        EventIdIndex index = new EventIdIndex(OffHeapLongs.unzeroed(capacity * 2L), capacity);
        try {
            long filled;
            try (OffHeapLongs.Prefault prefault = index.table.longs.prefaultFromEnd()) {
                filled = dense ? EventIdTableFormat.readDense(in, index.table.longs, prefault::reached)
                    : EventIdTableFormat.readSparse(in, index.table.longs, prefault::reached);
            }
            if (filled != count) {
                throw new IOException("corrupt event id index: " + filled + " filled slots, size " + count);
            }
        } catch (IOException | RuntimeException e) {
            index.close();
            throw e;
        }
        index.size = count;
        return index;
    }

    private static int indexFor(long fingerprint, int tableMask) {
        return (int) (fingerprint ^ (fingerprint >>> 32)) & tableMask;
    }

    /** Doubles the table at once; a background growth under way is abandoned. */
    private void grow() {
        OffHeapLongs slots = table.longs;
        OffHeapLongs grown = new OffHeapLongs(slots.length() * 2);
        int grownMask = (int) (slots.length() - 1);
        int added = insertAll(grown, grownMask, slots, slots.length());
        Table old = table;
        table = new Table(grown);
        size = added;
        mask = grownMask;
        growthLog = null;
        old.release();
    }

    /** Stafford's variant 13 of the MurmurHash3 finaliser: spreads every input bit. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
