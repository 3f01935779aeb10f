package dev.indelible.ledger.internal;

import dev.indelible.ledger.DaemonThreads;
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
    private record Pending<T>(long ticket, CompletableFuture<T> future, T result) {
        void complete() {
            future.complete(result);
        }
    }

    private final Journal journal;
    private final Thread thread;
    /** Whether the sync thread waits for a write: only then does a write wake anyone. */
    private boolean idle;
    /** Blocked appenders wait on this object's monitor; the sync thread waits on {@code writes}. */
    private final Object writes = new Object();
    private final ArrayDeque<Pending<?>> pending = new ArrayDeque<>();
    private long written;
    private long synced;
    private long syncs;
    private boolean closed;
    private LedgerException failure;

    GroupCommitter(Journal journal, String name) {
        this.journal = journal;
        this.thread = DaemonThreads.start(name, this::run);
    }

    /** Takes a ticket for a record just written, or just found (a duplicate): the next sync covers it. */
    long written() {
        long ticket;
        boolean wake;
        synchronized (this) {
            ticket = ++written;
            wake = idle;
        }
        if (wake) { // not notifyAll on this monitor: that would wake every blocked appender for nothing
            synchronized (writes) {
                writes.notifyAll();
            }
        }
        return ticket;
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
    synchronized <T> void completeWhenSynced(long ticket, CompletableFuture<T> future, T result) {
        if (synced >= ticket) {
            future.complete(result);
        } else if (failure != null) {
            future.completeExceptionally(failure);
        } else {
            pending.addLast(new Pending<>(ticket, future, result));
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
            long target = awaitWrites();
            if (target < 0) {
                return;
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
            for (Pending<?> p : acknowledge(target)) {
                p.complete();
            }
        }
    }

    private synchronized ArrayDeque<Pending<?>> acknowledge(long target) {
        synced = target;
        syncs++;
        ArrayDeque<Pending<?>> done = new ArrayDeque<>();
        while (!pending.isEmpty() && pending.peekFirst().ticket() <= target) {
            done.addLast(pending.pollFirst());
        }
        notifyAll();
        return done;
    }

    private void fail(LedgerException e) {
        ArrayDeque<Pending<?>> failed;
        synchronized (this) {
            failure = e;
            failed = new ArrayDeque<>(pending);
            pending.clear();
            notifyAll();
        }
        for (Pending<?> p : failed) {
            p.future().completeExceptionally(e);
        }
    }

    /** The ticket to sync up to, once there is one; -1 once closed with nothing left to sync. */
    private long awaitWrites() {
        synchronized (writes) { // held from the check to the wait, so no write's wake-up is missed
            while (true) {
                synchronized (this) {
                    idle = !closed && synced >= written;
                    if (!idle) {
                        return synced < written ? written : -1;
                    }
                }
                try {
                    writes.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    synchronized (this) {
                        closed = true;
                    }
                }
            }
        }
    }

    /** Syncs what was written, then stops the thread. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        synchronized (writes) {
            writes.notifyAll();
        }
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
