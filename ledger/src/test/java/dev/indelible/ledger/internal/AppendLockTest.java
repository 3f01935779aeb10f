package dev.indelible.ledger.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The appenders' lock with real threads: exclusion counted exactly, with waiters that spin and
 * waiters that park; reentrancy, as an erasure needs; an unlock by a thread that does not hold it.
 * Every wait is bounded, so a lost wake-up fails instead of hanging.
 */
class AppendLockTest {
    private static final int WAIT = 60;

    /** Increments without atomics: any two holders at once lose an increment, or see the other inside. */
    private long count;
    private boolean inside;

    @Test
    void shouldLetOneThreadInAtATimeWithEveryIncrementCounted() throws Exception {
        AppendLock lock = new AppendLock();
        int threads = 8;
        int each = 200_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        lock.lock();
                        try {
                            assertFalse(inside, "two threads held the lock");
                            inside = true;
                            count++;
                            inside = false;
                        } finally {
                            lock.unlock();
                        }
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get(WAIT, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        lock.lock();
        try {
            assertEquals((long) threads * each, count);
        } finally {
            lock.unlock();
        }
    }

    @Test
    void shouldWakeWaitersThatParkedWhileTheHolderHeldItLong() throws Exception {
        AppendLock lock = new AppendLock();
        int waiters = 4;
        CountDownLatch started = new CountDownLatch(waiters);
        CountDownLatch acquired = new CountDownLatch(waiters);
        ExecutorService pool = Executors.newFixedThreadPool(waiters);
        try {
            lock.lock();
            try {
                for (int w = 0; w < waiters; w++) {
                    pool.submit(() -> {
                        started.countDown();
                        lock.lock();
                        try {
                            acquired.countDown();
                        } finally {
                            lock.unlock();
                        }
                    });
                }
                assertTrue(started.await(WAIT, TimeUnit.SECONDS));
                // Held until every waiter has spun, yielded and queued: each then needs an unpark.
                assertTrue(waitUntilQueued(lock, waiters), "the waiters did not queue");
                assertEquals(waiters, acquired.getCount(), "a waiter got in while the lock was held");
            } finally {
                lock.unlock();
            }
            assertTrue(acquired.await(WAIT, TimeUnit.SECONDS), "a parked waiter was never woken");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void shouldBeReentrantForTheThreadThatHoldsIt() throws Exception {
        AppendLock lock = new AppendLock();
        lock.lock();
        lock.lock();
        lock.unlock();
        AtomicBoolean other = new AtomicBoolean();
        Thread t = new Thread(() -> other.set(lock.tryLock()));
        t.start();
        t.join(TimeUnit.SECONDS.toMillis(WAIT));
        assertFalse(other.get(), "another thread took the lock while it was still held once");
        lock.unlock();
        t = new Thread(() -> {
            other.set(lock.tryLock());
            lock.unlock();
        });
        t.start();
        t.join(TimeUnit.SECONDS.toMillis(WAIT));
        assertTrue(other.get(), "the lock stayed held after as many unlocks as locks");
    }

    @Test
    void shouldRefuseAnUnlockByAThreadThatDoesNotHoldIt() {
        AppendLock lock = new AppendLock();
        assertThrows(IllegalMonitorStateException.class, lock::unlock);
    }

    private static boolean waitUntilQueued(AppendLock lock, int waiters) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT);
        while (lock.queuedThreads() < waiters) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.yield();
        }
        return true;
    }
}
