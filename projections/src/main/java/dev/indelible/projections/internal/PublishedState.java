package dev.indelible.projections.internal;

import dev.indelible.projections.ProjectionStatus;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * What a projection's runner publishes to other threads: the live version, how far it has applied,
 * its state and why it failed; and the one wait on them ({@link #await}).
 *
 * <p>Thread-safe: the runner writes (and whoever opens or closes it), any thread reads or waits.
 */
final class PublishedState {

    /** Waiters look again at least this often, whether or not they were notified. */
    private static final long RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final Object monitor = new Object();
    private volatile VersionStore live;
    private volatile ProjectionStatus.State state = ProjectionStatus.State.CATCHING_UP;
    private volatile Throwable failure;
    private volatile boolean closed;
    private volatile long[] positions; // replaced whole, never changed: readers see one checkpoint

    PublishedState(int partitions) {
        positions = new long[partitions];
    }
    private volatile long applied;

    VersionStore live() {
        return live;
    }

    /** The live version's name, {@code null} while there is none. */
    String liveVersion() {
        VersionStore store = live;
        return store == null ? null : store.name();
    }

    void live(VersionStore store) {
        live = store;
    }

    /** Each partition's next {@code global_seq}; not to be changed. */
    long[] positions() {
        return positions;
    }

    /** Each partition's next {@code global_seq} to apply (a copy the caller gives up) and the events applied so far; wakes every waiter. */
    void advanced(long[] nextSeqs, long appliedCount) {
        positions = nextSeqs;
        applied = appliedCount;
        wakeWaiters();
    }

    ProjectionStatus.State state() {
        return state;
    }

    void state(ProjectionStatus.State next) {
        state = next;
    }

    Throwable failure() {
        return failure;
    }

    /** FAILED for status, readiness and every waiter, with its cause. */
    void failed(Throwable cause) {
        failure = cause;
        state = ProjectionStatus.State.FAILED;
        wakeWaiters();
    }

    void recovered() {
        failure = null;
    }

    boolean closed() {
        return closed;
    }

    void closing() {
        closed = true;
    }

    void wakeWaiters() {
        synchronized (monitor) {
            monitor.notifyAll();
        }
    }

    /**
     * Waits until {@code reached} holds, looked at whenever the runner publishes and at least every
     * 100 ms. False at the timeout, or at once when the projection failed or closed.
     */
    boolean await(BooleanSupplier reached, long timeoutNanos) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        synchronized (monitor) {
            while (!reached.getAsBoolean()) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || state == ProjectionStatus.State.FAILED || closed) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(monitor, Math.min(left, RECHECK_NANOS));
            }
            return true;
        }
    }

    ProjectionStatus status(String projection, long[] heads) {
        long[] at = positions;
        long lag = 0;
        List<Long> each = new ArrayList<>(at.length);
        for (int p = 0; p < at.length; p++) {
            lag += Math.max(0, heads[p] - at[p]);
            each.add(at[p]);
        }
        return new ProjectionStatus(projection, liveVersion(), Partitions.sum(at), lag, applied,
                closed ? ProjectionStatus.State.CLOSED : state, each);
    }
}
