package dev.indelible.ledger.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class RecordedAtClockTest {

    @Test
    void shouldReadTheSystemClockAsItsInstantDoes() {
        RecordedAtClock clock = new RecordedAtClock(Clock.systemUTC());
        for (int i = 0; i < 10_000; i++) {
            long before = micros(Instant.now());
            long now = clock.nowMicros();
            long after = micros(Instant.now());
            assertTrue(before <= now && now <= after, before + " <= " + now + " <= " + after);
        }
    }

    @Test
    void shouldAskAnyOtherClockForItsInstant() {
        Instant fixed = Instant.parse("2026-01-02T03:04:05.123456789Z");
        assertEquals(micros(fixed), new RecordedAtClock(Clock.fixed(fixed, ZoneOffset.UTC)).nowMicros());
        assertEquals(1_767_323_045_123_456L, micros(fixed));
        Instant early = Instant.parse("1969-12-31T23:59:59.999999Z");
        assertEquals(-1, new RecordedAtClock(Clock.fixed(early, ZoneOffset.UTC)).nowMicros());
    }

    @Test
    void shouldAllocateNothingToReadTheSystemClock() {
        RecordedAtClock clock = new RecordedAtClock(Clock.systemUTC());
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (int i = 0; i < 200_000; i++) {
            sum += clock.nowMicros() & 1;
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 100_000; i++) {
            sum += clock.nowMicros() & 1;
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        // An Instant per read would be 2.4 MB; what is allowed is the measurement's own few bytes.
        assertTrue(allocated < 10_000, allocated + " bytes allocated for 100,000 reads (" + sum + ")");
    }

    private static long micros(Instant instant) {
        return instant.getEpochSecond() * 1_000_000L + instant.getNano() / 1_000;
    }
}
