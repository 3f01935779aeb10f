package dev.indelible.server.internal;

import dev.indelible.server.Token;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The web console's sign-in sessions, in memory only: a restart signs everyone out. A session is
 * a random 256-bit id (the cookie) bound to the admin token that signed in, with its own random
 * CSRF token; it ends on sign-out, after {@link #IDLE} without a request, after {@link #LONGEST}
 * in all, or when its token is revoked (checked by the caller on every request). Thread-safe.
 */
final class ConsoleSessions {
    /** A session unused this long ends. */
    static final Duration IDLE = Duration.ofMinutes(30);
    /** No session lasts longer, however busy: the cookie's Max-Age. */
    static final Duration LONGEST = Duration.ofHours(12);
    /** Sessions kept at most; beyond, the one used longest ago ends (only admins sign in, so this is noise control). */
    static final int MOST = 1_024;

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Clock clock;
    private final Map<String, Session> byId = new ConcurrentHashMap<>();

    ConsoleSessions(Clock clock) {
        this.clock = clock;
    }

    /**
     * A signed-in admin token's session.
     *
     * @param id   the cookie's value
     * @param csrf what every change must carry in {@code X-CSRF-Token}
     */
    record Session(String id, String csrf, String tokenId, String tokenName, Instant started, Instant lastUsed) {

        Instant expiresAt() {
            Instant idle = lastUsed.plus(IDLE);
            Instant longest = started.plus(LONGEST);
            return idle.isBefore(longest) ? idle : longest;
        }

        /** Whether {@code header} is this session's CSRF token, compared in constant time. */
        boolean csrfMatches(String header) {
            return header != null && MessageDigest.isEqual(csrf.getBytes(StandardCharsets.UTF_8),
                header.getBytes(StandardCharsets.UTF_8));
        }
    }

    Session start(Token token) {
        Instant now = clock.instant();
        byId.values().removeIf(s -> !now.isBefore(s.expiresAt()));
        if (byId.size() >= MOST) {
            byId.values().stream().min(Comparator.comparing(Session::lastUsed)).ifPresent(s -> byId.remove(s.id()));
        }
        Session session = new Session(random(), random(), token.id(), token.name(), now, now);
        byId.put(session.id(), session);
        return session;
    }

    /** The live session of a cookie value, its idle time restarted; empty when unknown or expired. */
    Optional<Session> use(String id) {
        if (id == null) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        Session session = byId.computeIfPresent(id, (k, s) -> now.isBefore(s.expiresAt())
            ? new Session(s.id(), s.csrf(), s.tokenId(), s.tokenName(), s.started(), now) : null);
        return Optional.ofNullable(session);
    }

    void end(String id) {
        byId.remove(id);
    }

    private static String random() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
