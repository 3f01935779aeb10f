package dev.indelible.projections.internal;

import java.util.concurrent.locks.LockSupport;

/**
 * How a runner's thread waits after a pass that did no work: it parks for a pause that doubles from
 * a minimum to a maximum while nothing happens, and starts over after any work. Agrona's
 * {@code BackoffIdleStrategy} without its spin and yield phases, which a projection does not need;
 * {@link LockSupport#unpark} ends a pause early.
 *
 * <p>Not thread-safe: one thread uses an instance.
 */
final class Backoff {

    private final long minPauseNanos;
    private final long maxPauseNanos;
    private long pause;

    Backoff(long minPauseNanos, long maxPauseNanos) {
        this.minPauseNanos = minPauseNanos;
        this.maxPauseNanos = maxPauseNanos;
    }

    /** @param work what the last pass did: any work resets the pause, none parks for the next one */
    void idle(int work) {
        if (work > 0) {
            pause = 0;
            return;
        }
        pause = Math.min(maxPauseNanos, Math.max(minPauseNanos, pause * 2));
        LockSupport.parkNanos(pause);
    }
}
