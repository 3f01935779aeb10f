package dev.indelible.server.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.indelible.server.MovableClock;
import dev.indelible.server.Token;
import dev.indelible.server.Verb;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ConsoleSessionsTest {
    private final MovableClock clock = new MovableClock();
    private final ConsoleSessions sessions = new ConsoleSessions(clock);
    private final Token ops = new Token("ops", "0123456789abcdef", List.of("*"), Set.of(Verb.ADMIN), Instant.EPOCH, null);

    @Test
    void shouldGiveEachSessionItsOwnRandomIdAndCsrfToken() {
        ConsoleSessions.Session a = sessions.start(ops);
        ConsoleSessions.Session b = sessions.start(ops);
        assertNotEquals(a.id(), b.id());
        assertNotEquals(a.csrf(), b.csrf());
        assertNotEquals(a.id(), a.csrf());
        assertTrue(a.id().matches("[A-Za-z0-9_-]{43}"), a.id()); // 256 bits, base64url
        assertTrue(a.csrfMatches(a.csrf()));
        assertFalse(a.csrfMatches(b.csrf()));
        assertFalse(a.csrfMatches(null));
        assertFalse(a.csrfMatches(""));
    }

    @Test
    void shouldEndASessionIdleForHalfAnHourOrTwelveHoursOld() {
        ConsoleSessions.Session s = sessions.start(ops);
        clock.move(ConsoleSessions.IDLE.minusSeconds(1));
        assertTrue(sessions.use(s.id()).isPresent());
        clock.move(ConsoleSessions.IDLE);
        assertTrue(sessions.use(s.id()).isEmpty(), "idle 30 minutes");
        assertTrue(sessions.use(s.id()).isEmpty(), "and gone for good");

        ConsoleSessions.Session busy = sessions.start(ops);
        for (Duration age = Duration.ZERO; age.compareTo(ConsoleSessions.LONGEST) < 0; age = age.plusMinutes(20)) {
            assertTrue(sessions.use(busy.id()).isPresent(), "at " + age);
            clock.move(Duration.ofMinutes(20));
        }
        assertTrue(sessions.use(busy.id()).isEmpty(), "12 hours at most");
        assertTrue(sessions.use(null).isEmpty());
    }

    @Test
    void shouldKeepAtMostSoManySessionsEndingTheOneUsedLongestAgo() {
        List<ConsoleSessions.Session> started = new ArrayList<>();
        for (int i = 0; i < ConsoleSessions.MOST; i++) {
            started.add(sessions.start(ops));
            clock.move(Duration.ofMillis(1));
        }
        sessions.use(started.get(0).id()); // the oldest, used just now
        clock.move(Duration.ofMillis(1));
        sessions.start(ops);
        assertTrue(sessions.use(started.get(0).id()).isPresent());
        assertTrue(sessions.use(started.get(1).id()).isEmpty(), "used longest ago: ended");
        assertTrue(sessions.use(started.get(2).id()).isPresent());
    }

    @Test
    void shouldEndASignedOutSession() {
        ConsoleSessions.Session s = sessions.start(ops);
        sessions.end(s.id());
        assertTrue(sessions.use(s.id()).isEmpty());
    }
}
