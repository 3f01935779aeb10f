package dev.indelible.ledger.testing;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * How every test waits: poll a condition until it holds, or fail once the timeout passed, saying
 * what was seen. Never a sleep to let something settle: a condition is either met or the test fails.
 * Polls every millisecond at first, then every 10 ms, so a cheap condition is seen at once and an
 * expensive one (a verify, a read-only open) does not take a core from what it waits for.
 *
 * <p>Thread-safe: stateless.
 */
public final class Await {
    private static final long FIRST_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long LONGEST_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    /** A condition that may throw: it may read a file or open a ledger read-only. */
    @FunctionalInterface
    public interface Condition {
        boolean met() throws Exception;
    }

    private Await() {
    }

    /** Returns once {@code condition} holds; fails if it does not within {@code timeout}. */
    public static void await(Condition condition, Duration timeout) throws Exception {
        await(condition, timeout, () -> "");
    }

    /**
     * Returns once {@code condition} holds; fails if it does not within {@code timeout}, with
     * {@code seen} (a status, a child's stderr) in the message.
     */
    public static void await(Condition condition, Duration timeout, Supplier<String> seen) throws Exception {
        long started = System.nanoTime();
        long pause = FIRST_PAUSE_NANOS;
        while (!condition.met()) {
            if (System.nanoTime() - started > timeout.toNanos()) {
                String state = seen.get();
                throw new AssertionError("condition not met within " + describe(timeout) + (state.isEmpty() ? "" : ": " + state));
            }
            TimeUnit.NANOSECONDS.sleep(pause);
            pause = Math.min(2 * pause, LONGEST_PAUSE_NANOS);
        }
    }

    private static String describe(Duration timeout) {
        return timeout.toMillis() % 1000 == 0 ? timeout.toSeconds() + " s" : timeout.toMillis() + " ms";
    }
}
