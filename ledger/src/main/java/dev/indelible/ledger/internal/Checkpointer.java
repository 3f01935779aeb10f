package dev.indelible.ledger.internal;

import dev.indelible.ledger.DaemonThreads;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The work beside the appends, on a thread of its own: writing checkpoints of the writer's state
 * and doubling the event id table before it fills. Both copy one chunk at a time under the
 * appenders' lock and do the rest outside it, so an appender waits for a chunk (tens of
 * microseconds), never for a whole table.
 *
 * <p>Thread-safe: {@link #noteAppend} is called under the appenders' lock, {@link #wakeIfDue}
 * after it; the rest runs on its own thread, and {@link #close} once.
 */
final class Checkpointer {
    private static final Logger LOG = LoggerFactory.getLogger(Checkpointer.class);
    /** A quarter of what the journal writes per event of a 128-byte payload. */
    static final long BYTES_PER_EVENT = 64;

    private final Checkpoint file;
    private final ReentrantLock lock;
    private final LedgerState state;
    private final long interval;
    /** Under the lock: whether the ledger failed, so its state is not to be saved. */
    private final BooleanSupplier failed;
    private final Thread thread;
    private volatile boolean closed;
    /** Written by this thread, read by appenders. */
    private volatile long checkpointedSeq;
    /** Under the lock: where the last checkpoint began, so appends during its write do not ask for another. */
    private long startedSeq;
    private volatile boolean checkpointWanted;
    /**
     * Events between checkpoints: the configured interval, or more once checkpoints are large, so a
     * checkpoint writes at most {@link #BYTES_PER_EVENT} per event appended since the last.
     */
    private volatile long every;
    /** Set under the lock when the event id table is due to grow ({@link EventIdIndex#growthDue}). */
    private volatile boolean growthWanted;

    Checkpointer(Checkpoint file, ReentrantLock lock, JournalLoader.Loaded loaded, long interval, BooleanSupplier failed) {
        this.file = file;
        this.lock = lock;
        this.state = loaded.follower().state();
        this.interval = interval;
        this.failed = failed;
        this.checkpointedSeq = loaded.checkpointedSeq();
        this.startedSeq = checkpointedSeq;
        this.every = spacingFor(loaded.checkpointBytes());
        this.checkpointWanted = state.nextSeq() - checkpointedSeq >= every;
        this.thread = DaemonThreads.unstarted("indelible-checkpoint", this::run);
    }

    void start() {
        thread.start();
    }

    /**
     * The whole index is rewritten each time, so at a fixed interval its cost per event would grow
     * with the journal (at 30 million ids, a gigabyte every 2 million events: a core of this
     * machine). Spacing checkpoints by their size keeps it constant per event; the price is a longer
     * scan of the tail when a reopen follows a crash (a clean close writes a checkpoint).
     */
    private long spacingFor(long checkpointBytes) {
        return Math.max(interval, checkpointBytes / BYTES_PER_EVENT);
    }

    /** Under the lock, after an append: notes a checkpoint or a growth that is due. */
    void noteAppend() {
        if (state.nextSeq() - startedSeq >= every) {
            checkpointWanted = true;
        }
        if (state.eventIds().growthDue()) {
            growthWanted = true;
        }
    }

    /** After the lock is released: wakes the thread when {@link #noteAppend} found work. */
    void wakeIfDue() {
        if (checkpointWanted || growthWanted) {
            LockSupport.unpark(thread);
        }
    }

    private void run() {
        while (!closed) {
            LockSupport.park(this);
            if (!closed && growthWanted) {
                growIndex();
            }
            if (!closed && checkpointWanted) {
                writeCheckpoint();
            }
        }
    }

    /** Doubles the event id table beside the appends, which wait only for the copy of one chunk at a time. */
    private void growIndex() {
        growthWanted = false;
        try {
            grow(state.eventIds(), lock);
        } catch (OutOfMemoryError | RuntimeException e) {
            LOG.warn("cannot grow the event id index in the background; an append will grow it when it is full", e);
        }
    }

    /**
     * The one place that takes the appenders' lock for work on an index: each chunk is copied
     * under {@code lock} and used outside it (see {@link ChunkedCopy}).
     */
    static ChunkedCopy.Runner underLock(Lock lock) {
        return work -> {
            while (true) {
                boolean copied;
                lock.lock();
                try {
                    copied = work.copyNext();
                } finally {
                    lock.unlock();
                }
                if (!copied) {
                    return;
                }
                work.useCopy();
            }
        };
    }

    /**
     * Doubles {@code ids} while appends go on under {@code lock}; see {@link EventIdIndex#growth}.
     * Returns false when no growth was due, or a put doubled the table first.
     */
    static boolean grow(EventIdIndex ids, Lock lock) {
        EventIdIndex.Growth growth = locked(lock, ids::growth);
        if (growth == null) {
            return false;
        }
        try {
            growth.allocate();
            if (!locked(lock, growth::begin)) {
                return false;
            }
            try {
                underLock(lock).run(growth);
            } catch (IOException e) {
                throw new UncheckedIOException(e); // a growth's copies do no I/O
            }
            return locked(lock, growth::finish);
        } finally {
            locked(lock, () -> {
                growth.end();
                return null;
            });
            growth.free();
        }
    }

    private static <T> T locked(Lock lock, Supplier<T> action) {
        lock.lock();
        try {
            return action.get();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Snapshots the indexes under the lock, then writes and publishes them while appends go on:
     * the lock is taken again only to copy each chunk of an index.
     */
    private void writeCheckpoint() {
        LedgerState.Snapshot snapshot;
        lock.lock();
        try {
            checkpointWanted = false; // before the check: an append meanwhile asks again
            if (failed.getAsBoolean() || state.nextSeq() == checkpointedSeq) {
                return;
            }
            snapshot = state.snapshot();
            startedSeq = snapshot.nextSeq;
        } finally {
            lock.unlock();
        }
        long bytes;
        try {
            bytes = file.write(snapshot, underLock(lock));
        } catch (IOException e) {
            LOG.warn("cannot write a checkpoint of the ledger indexes; a reopen will scan more of the journal", e);
            return;
        } finally {
            lock.lock();
            try {
                snapshot.close();
            } finally {
                lock.unlock();
            }
        }
        checkpointedSeq = snapshot.nextSeq;
        every = spacingFor(bytes);
    }

    /**
     * Stops the thread; then, when {@code saveState}, writes a last checkpoint, so a reopen after a
     * clean close scans nothing. Appends must already be refused.
     */
    void close(boolean saveState) {
        closed = true;
        LockSupport.unpark(thread);
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (saveState) {
            writeCheckpoint();
        }
    }
}
