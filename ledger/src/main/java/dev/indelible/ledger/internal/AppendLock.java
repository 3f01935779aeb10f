package dev.indelible.ledger.internal;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.AbstractQueuedSynchronizer;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;

/**
 * The appenders' lock: a thread that finds it held spins, then yields, for about as long as a few
 * appends take before it queues and parks. An append holds the lock for about a microsecond, while
 * a park and its wake-up are two system calls and a context switch, paid by both threads: with
 * {@link java.util.concurrent.locks.ReentrantLock}, which parks at once, four appending threads
 * ran slower than one. A spinning waiter is not queued, so the holder's unlock wakes no one.
 * Parked waiters are woken in turn by {@link AbstractQueuedSynchronizer}, as a {@code
 * ReentrantLock}'s are; the lock is not fair, like the default {@code ReentrantLock}.
 *
 * <p>Thread-safe. Reentrant: an erasure appends its event while holding it.
 */
final class AppendLock implements Lock {
    /** Spins on the lock's word, each a CPU pause of tens of nanoseconds, before yielding. */
    private static final int SPINS = 64;
    /** Yields before parking: on a machine with fewer cores than appenders, the holder may need the core. */
    private static final int YIELDS = 8;

    private final Sync sync = new Sync();

    @Override
    public void lock() {
        if (sync.tryAcquire(1) || spinThenAcquire()) {
            return;
        }
        sync.acquire(1);
    }

    private boolean spinThenAcquire() {
        for (int i = 0; i < SPINS + YIELDS; i++) {
            if (i < SPINS) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
            if (!sync.isHeld() && sync.tryAcquire(1)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void lockInterruptibly() throws InterruptedException {
        sync.acquireInterruptibly(1);
    }

    @Override
    public boolean tryLock() {
        return sync.tryAcquire(1);
    }

    @Override
    public boolean tryLock(long time, TimeUnit unit) throws InterruptedException {
        return sync.tryAcquireNanos(1, unit.toNanos(time));
    }

    @Override
    public void unlock() {
        sync.release(1);
    }

    /** Threads parked waiting for the lock: for tests. */
    int queuedThreads() {
        return sync.getQueueLength();
    }

    @Override
    public Condition newCondition() {
        throw new UnsupportedOperationException("the appenders' lock has no conditions");
    }

    /** How many times the owner holds it (0: free), and by which thread. */
    private static final class Sync extends AbstractQueuedSynchronizer {
        boolean isHeld() {
            return getState() != 0;
        }

        @Override
        protected boolean tryAcquire(int ignored) {
            if (compareAndSetState(0, 1)) {
                setExclusiveOwnerThread(Thread.currentThread());
                return true;
            }
            if (getExclusiveOwnerThread() == Thread.currentThread()) {
                setState(getState() + 1);
                return true;
            }
            return false;
        }

        @Override
        protected boolean tryRelease(int ignored) {
            if (getExclusiveOwnerThread() != Thread.currentThread()) {
                throw new IllegalMonitorStateException("the appenders' lock is not held by this thread");
            }
            int holds = getState() - 1;
            if (holds == 0) {
                setExclusiveOwnerThread(null);
            }
            setState(holds);
            return holds == 0;
        }

        @Override
        protected boolean isHeldExclusively() {
            return getExclusiveOwnerThread() == Thread.currentThread();
        }
    }
}
