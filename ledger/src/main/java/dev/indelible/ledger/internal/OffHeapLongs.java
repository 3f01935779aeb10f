package dev.indelible.ledger.internal;

import static net.openhft.chronicle.core.UnsafeMemory.MEMORY;

import java.lang.ref.Cleaner;
import net.openhft.chronicle.core.OS;
import net.openhft.posix.MAdviseFlag;
import net.openhft.posix.PosixAPI;

/**
 * A zeroed, fixed-length array of {@code long}s outside the Java heap, for tables that grow with
 * the journal: they neither count against {@code -Xmx} nor leave a garbage array behind when
 * they double. {@link #free} returns the memory at once; one never freed is returned when it
 * becomes unreachable.
 *
 * <p>Indexes are not checked: callers index within {@link #length()}, and never touch an array
 * after freeing it. Not thread-safe.
 */
final class OffHeapLongs {
    private static final Cleaner CLEANER = Cleaner.create();
    /** Transparent huge pages are this size and alignment on x86-64 and arm64 (4 KiB base pages). */
    private static final long HUGE_PAGE = 2L << 20;

    private final long address;
    private final long length;
    private final Cleaner.Cleanable cleanable;
    private boolean freed;

    OffHeapLongs(long length) {
        this(length, true);
    }

    private OffHeapLongs(long length, boolean zeroed) {
        if (length <= 0) {
            throw new IllegalArgumentException("length must be positive: " + length);
        }
        long bytes = length * Long.BYTES;
        long allocated = bytes >= 4 * HUGE_PAGE ? bytes + HUGE_PAGE : bytes;
        long start = MEMORY.allocate(allocated);
        this.address = allocated == bytes ? start : alignToHugePage(start, bytes);
        this.length = length;
        if (zeroed) {
            MEMORY.setMemory(address, bytes, (byte) 0);
        }
        this.cleanable = CLEANER.register(this, new Release(start, allocated));
    }

    /**
     * An array whose content is whatever the memory held: for a caller that writes every element
     * before reading any (a table loaded whole), so its memory is touched once, not zeroed first.
     */
    static OffHeapLongs unzeroed(long length) {
        return new OffHeapLongs(length, false);
    }

    /**
     * The first 2 MiB boundary at or after {@code start}, its {@code bytes} advised to be backed by
     * huge pages: a table of 10M ids is 512 MiB, 131,072 base pages, and faulting them in was most of
     * a reopen; every probe into it also missed the TLB. Where huge pages are off the advice does nothing.
     */
    private static long alignToHugePage(long start, long bytes) {
        long aligned = (start + HUGE_PAGE - 1) & -HUGE_PAGE;
        if (OS.isLinux()) { // the advice's number means something else elsewhere
            PosixAPI.posix().madvise(aligned, bytes & -HUGE_PAGE, MAdviseFlag.MADV_HUGEPAGE);
        }
        return aligned;
    }

    /** The array's first byte in memory, for tests of its placement. */
    long address() {
        return address;
    }

    long length() {
        return length;
    }

    long get(long index) {
        return MEMORY.readLong(address + index * Long.BYTES);
    }

    void set(long index, long value) {
        MEMORY.writeLong(address + index * Long.BYTES, value);
    }

    /** Copies {@code from[0..count)} into this array from index {@code to} on. */
    void copyFrom(long[] from, long to, int count) {
        for (int i = 0; i < count; i++) {
            set(to + i, from[i]);
        }
    }

    /** Copies {@code count} longs from {@code from} into {@code to[0..count)}. */
    void copyTo(long from, long[] to, int count) {
        for (int i = 0; i < count; i++) {
            to[i] = get(from + i);
        }
    }

    /** Returns the memory now; only the first call frees it. */
    void free() {
        freed = true;
        cleanable.clean();
    }

    /** Whether {@link #free} was called. */
    boolean isFreed() {
        return freed;
    }

    /** Holds no reference to the array itself, or it would never become unreachable. */
    private record Release(long address, long bytes) implements Runnable {
        @Override
        public void run() {
            MEMORY.freeMemory(address, bytes);
        }
    }
}
