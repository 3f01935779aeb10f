package dev.indelible.ledger.internal;

import static net.openhft.chronicle.core.UnsafeMemory.MEMORY;

import dev.indelible.ledger.DaemonThreads;
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
    /** Linux's advice to fault a range in writable without writing it (5.14 on). */
    private static final int MADV_POPULATE_WRITE = 23;
    /** The smallest array {@link #prefaultFromEnd} starts a thread for. */
    static final long PREFAULT_MIN_BYTES = 16 * HUGE_PAGE;

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

    /** Sets {@code count} longs from index {@code from} on to zero. */
    void clear(long from, long count) {
        MEMORY.setMemory(address + from * Long.BYTES, count * Long.BYTES, (byte) 0);
    }

    /** Copies {@code count} longs from {@code from} into {@code to[0..count)}. */
    void copyTo(long from, long[] to, int count) {
        for (int i = 0; i < count; i++) {
            to[i] = get(from + i);
        }
    }

    /**
     * For a caller about to write the whole array from its start (a table loaded from a
     * checkpoint): another thread faults its memory in from the end meanwhile, so the kernel's work
     * of providing fresh memory, most of a load where that memory is new to the machine (a new
     * process's huge pages, a new VM's memory), runs on two cores. The caller reports how far it
     * has written ({@link Prefault#reached}), and the thread stops where they meet; a kernel
     * without {@code MADV_POPULATE_WRITE} (Linux 5.14) leaves all the faults to the caller. Small
     * arrays are not worth a thread: nothing is started.
     */
    Prefault prefaultFromEnd() {
        Prefault prefault = new Prefault();
        if (OS.isLinux() && length * Long.BYTES >= PREFAULT_MIN_BYTES) {
            prefault.thread = DaemonThreads.start("indelible-prefault", prefault::run);
        }
        return prefault;
    }

    /** The thread of {@link #prefaultFromEnd}; {@link #close} stops it and waits for it. */
    final class Prefault implements AutoCloseable {
        private volatile long reachedBytes;
        private volatile boolean stopped;
        private Thread thread;
        /** How far the thread got down from the end, in bytes: for tests. */
        private volatile long faultedFrom = length * Long.BYTES;

        /** The caller has written the array up to {@code index}. */
        void reached(long index) {
            reachedBytes = index * Long.BYTES;
        }

        private void run() {
            PosixAPI posix = PosixAPI.posix();
            for (long end = length * Long.BYTES; !stopped && end - HUGE_PAGE > reachedBytes; end -= HUGE_PAGE) {
                if (posix.madvise(address + end - HUGE_PAGE, HUGE_PAGE, MADV_POPULATE_WRITE) != 0) {
                    return;
                }
                faultedFrom = end - HUGE_PAGE;
            }
        }

        /** Bytes from the end the thread faulted in. */
        long faultedBytes() {
            return length * Long.BYTES - faultedFrom;
        }

        @Override
        public void close() {
            stopped = true;
            if (thread != null) {
                try {
                    thread.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
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
