package dev.indelible.ledger.internal;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.time.Clock;
import java.time.Instant;

/**
 * The {@code recorded_at} of an append, in microseconds since the epoch, from the ledger's clock.
 * The system clock is read as {@code Clock.systemUTC().instant()} reads it, through the JDK's
 * {@code VM.getNanoTimeAdjustment} (exported to the ledger for Chronicle, see {@link JvmRequirements}),
 * but without the {@link Instant} that call returns: the JIT does not always eliminate it, and it
 * was the one allocation left on the append path. Any other clock (a test's) is asked for its
 * instant.
 *
 * <p>Not thread-safe: used under the write lock.
 */
final class RecordedAtClock {
    /** {@code jdk.internal.misc.VM.getNanoTimeAdjustment(long)}, or null when this JVM does not export it. */
    private static final MethodHandle NANO_TIME_ADJUSTMENT = nanoTimeAdjustment();
    /** How far back the offset is set, as {@code Clock} sets it: the adjustment stays well within range. */
    private static final long OFFSET_LEEWAY_SECONDS = 1024;

    private final Clock clock;
    private final boolean system;
    /** Seconds since the epoch the system clock's adjustment is taken from. */
    private long offsetSeconds = System.currentTimeMillis() / 1000 - OFFSET_LEEWAY_SECONDS;

    RecordedAtClock(Clock clock) {
        this.clock = clock;
        this.system = NANO_TIME_ADJUSTMENT != null && clock.getClass() == Clock.systemUTC().getClass();
    }

    long nowMicros() {
        if (system) {
            long adjustment = adjustment(offsetSeconds);
            if (adjustment == -1) { // the offset is over 2^32 s away (the clock was set far): as Clock does
                offsetSeconds = System.currentTimeMillis() / 1000 - OFFSET_LEEWAY_SECONDS;
                adjustment = adjustment(offsetSeconds);
            }
            if (adjustment != -1) {
                return offsetSeconds * 1_000_000L + Math.floorDiv(adjustment, 1_000L);
            }
        }
        Instant now = clock.instant();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    private static long adjustment(long offset) {
        try {
            return (long) NANO_TIME_ADJUSTMENT.invokeExact(offset);
        } catch (Throwable e) {
            throw new IllegalStateException("cannot read the system clock", e);
        }
    }

    private static MethodHandle nanoTimeAdjustment() {
        try {
            return MethodHandles.lookup().findStatic(Class.forName("jdk.internal.misc.VM"), "getNanoTimeAdjustment",
                MethodType.methodType(long.class, long.class));
        } catch (ReflectiveOperationException | IllegalAccessError | SecurityException e) {
            return null;
        }
    }
}
