package dev.indelible.ledger.internal;

import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.LedgerException;
import dev.indelible.ledger.spi.Journal;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

/**
 * Group commit for {@link dev.indelible.ledger.Durability#SYNC}: one thread forces the journal to
 * disk, and each sync acknowledges every append written before it started, from every thread.
 * Appends take a ticket when written; a ticket is acknowledged once a sync that began after it
 * finished. Futures complete in ticket order, so each producer sees its own order.
 *
 * <p>A failed sync is never retried and then acknowledged: the page cache may already have dropped
 * the data ("fsyncgate"). Every pending append fails, and so does every later one.
 *
 * <p>Thread-safe.
 */
final class GroupCommitter implements AutoCloseable {
    private record Pending(long ticket, CompletableFuture<AppendResult> future, AppendResult result) {
    }

    private final Journal journal;
    private final Thread thread;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private long written;
    private long synced;
    private long syncs;
    private boolean closed;
    private LedgerException failure;

    GroupCommitter(Journal journal, String name) {
        this.journal = journal;
        this.thread = new Thread(this::run, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Takes a ticket for a record just written, or just found (a duplicate): the next sync covers it. */
    synchronized long written() {
        written++;
        notifyAll();
        return written;
    }

    /** Blocks until {@code ticket} is on disk. */
    synchronized void await(long ticket) {
        while (synced < ticket && failure == null) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LedgerException("interrupted while waiting for the journal sync; the append may or may not be durable", e);
            }
        }
        if (synced < ticket) {
            throw failure;
        }
    }

    /** Completes {@code future} with {@code result} once {@code ticket} is on disk. */
    synchronized void completeWhenSynced(long ticket, CompletableFuture<AppendResult> future, AppendResult result) {
        if (synced >= ticket) {
            future.complete(result);
        } else if (failure != null) {
            future.completeExceptionally(failure);
        } else {
            pending.addLast(new Pending(ticket, future, result));
        }
    }

    synchronized long syncs() {
        return syncs;
    }

    /** Null while healthy; the failure that stopped the ledger otherwise. */
    synchronized LedgerException failure() {
        return failure;
    }

    private void run() {
        while (true) {
            long target;
            synchronized (this) {
                while (!closed && synced >= written) {
                    waitQuietly();
                }
                if (synced >= written) {
                    return;
                }
                target = written;
            }
            try {
                KillPoints.reach(KillPoints.BEFORE_SYNC);
                journal.sync();
            } catch (IOException | RuntimeException e) {
                fail(new LedgerException("journal sync failed; appends since the last good sync are not acknowledged"
                    + " and the ledger accepts no more (reopen to re-verify from disk): " + e, e));
                return;
            }
            // Completed outside the monitor: callers' callbacks must not run holding it.
            for (Pending p : acknowledge(target)) {
                p.future().complete(p.result());
            }
        }
    }

    private synchronized ArrayDeque<Pending> acknowledge(long target) {
        synced = target;
        syncs++;
        ArrayDeque<Pending> done = new ArrayDeque<>();
        while (!pending.isEmpty() && pending.peekFirst().ticket() <= target) {
            done.addLast(pending.pollFirst());
        }
        notifyAll();
        return done;
    }

    private void fail(LedgerException e) {
        ArrayDeque<Pending> failed;
        synchronized (this) {
            failure = e;
            failed = new ArrayDeque<>(pending);
            pending.clear();
            notifyAll();
        }
        for (Pending p : failed) {
            p.future().completeExceptionally(e);
        }
    }

    private void waitQuietly() {
        try {
            wait();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    /** Syncs what was written, then stops the thread. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
