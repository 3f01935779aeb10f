package dev.indelible.ledger.internal.chronicle;

import dev.indelible.ledger.DaemonThreads;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import net.openhft.chronicle.core.OS;
import net.openhft.posix.MAdviseFlag;
import net.openhft.posix.PosixAPI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the cycle file ahead of the writer on a thread of its own, so the page-cache pages the
 * next appends write into already exist. Chronicle writes through a memory map: the first write to
 * a page that is not cached makes the appender allocate and zero it, under the write lock. On a
 * VM that hands free memory back to its host that costs about 2 ms per MiB, a third of a steady
 * append's time. Reading never changes the file, so it is safe beside writers in other processes.
 *
 * <p>{@link #follow} is called by the writer under the journal's write lock; the reading runs on
 * the read-ahead thread.
 */
final class ReadAhead implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReadAhead.class);
    /** How far ahead of the writer pages are read. */
    static final long LEAD = 32L << 20;
    /** Bytes per read, and how far the writer moves between wake-ups of the thread. */
    private static final int STEP = 1 << 20;
    private static final long IDLE_NANOS = 100_000_000L;

    private final Thread thread;
    private final BooleanSupplier singlePages;
    private volatile File file;
    private volatile long writerAt;
    private volatile long allocatedTo;
    private volatile boolean closed;
    /** Writer side: the file, position and allocation at the last wake-up. */
    private File noticedFile;
    private long noticedAt = Long.MIN_VALUE;
    private long noticedAllocation;

    /** {@code singlePages}: whether the journal is being synced, so pages are cached one by one ({@link #cache}). */
    ReadAhead(BooleanSupplier singlePages) {
        this.singlePages = singlePages;
        thread = DaemonThreads.start("indelible-read-ahead", this::run);
    }

    /**
     * Under the write lock: the writer is at {@code position} of {@code current}, whose blocks are
     * allocated up to {@code allocated}. Pages are read no further: a page read from a hole would be
     * cached unbacked, and the write into it would have to allocate under the memory map, where a
     * full disk is a SIGBUS. Wakes the thread once per step, or when more is allocated.
     */
    void follow(File current, long position, long allocated) {
        // Chronicle hands back the same File while it writes one file: no path comparison per append.
        boolean sameFile = current == noticedFile || current.equals(noticedFile);
        if (sameFile && position >= noticedAt && position < noticedAt + STEP && allocated == noticedAllocation) {
            return;
        }
        noticedFile = current;
        noticedAt = position;
        noticedAllocation = allocated;
        allocatedTo = allocated;
        writerAt = position;
        file = current;
        LockSupport.unpark(thread);
    }

    private void run() {
        ByteBuffer buffer = ByteBuffer.allocateDirect(STEP);
        File reading = null;
        FileChannel channel = null;
        long readTo = 0;
        try {
            while (!closed) {
                File current = file;
                long at = writerAt;
                long allocated = allocatedTo;
                if (current != null && !current.equals(reading)) {
                    closeQuietly(channel);
                    channel = FileChannel.open(current.toPath(), StandardOpenOption.READ);
                    reading = current;
                    readTo = 0;
                }
                readTo = Math.max(readTo, at);
                // Not past the end (Chronicle sets the file's size) nor past the allocated blocks.
                long target = channel == null ? 0 : Math.min(Math.min(channel.size(), allocated), at + LEAD);
                long read = 0;
                if (readTo < target) {
                    int step = (int) Math.min(STEP, target - readTo);
                    if (singlePages.getAsBoolean()) {
                        cache(channel, readTo, step);
                        read = step;
                    } else {
                        read = channel.read(buffer.clear().limit(step), readTo);
                    }
                }
                if (read > 0) {
                    readTo += read;
                } else {
                    LockSupport.parkNanos(this, IDLE_NANOS);
                }
            }
        } catch (IOException e) {
            LOG.debug("reading ahead of the writer stopped: {}", e.toString());
        } finally {
            closeQuietly(channel);
        }
    }

    /**
     * Brings {@code length} bytes at {@code from} into the page cache as single pages
     * ({@code MADV_WILLNEED}), not by reading them. A sequential read lets the kernel's readahead
     * cache large folios (Linux 6.x), and a sync writes back a dirty folio whole: for a 260-byte
     * append, up to megabytes. Fsynced appends fell from 7,800/s to 2,600/s within 30 s that way.
     * Unsynced appends prefer large folios, which the writer faults in once each, not per page.
     */
    private static void cache(FileChannel channel, long from, long length) throws IOException {
        long start = from & -OS.pageSize();
        long size = from + length - start;
        long address = OS.map(channel, FileChannel.MapMode.READ_ONLY, start, size);
        try {
            PosixAPI.posix().madvise(address, size, MAdviseFlag.MADV_WILLNEED);
        } finally {
            OS.unmap(address, size);
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // read-only: nothing to lose
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(thread);
        try {
            thread.join(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
