package dev.indelible.server.internal;

import dev.indelible.server.Token;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A bound on the HTTP requests one token has in flight. A request holds a thread while its body
 * arrives, however slowly; without this bound one token's slow uploads (bytes keep moving, so the
 * idle timeout never fires) could hold every thread. Thread-safe.
 */
final class TokenSlots {
    private final int perToken;
    private final ConcurrentHashMap<String, Integer> inFlight = new ConcurrentHashMap<>();

    TokenSlots(int perToken) {
        this.perToken = perToken;
    }

    /** Takes a slot for {@code token}, or refuses (503) when it has {@code perToken} already; run the result to give it back. */
    Runnable take(Token token) {
        int[] held = new int[1];
        inFlight.compute(token.id(), (id, n) -> {
            held[0] = n == null ? 0 : n;
            return held[0] < perToken ? held[0] + 1 : n;
        });
        if (held[0] >= perToken) {
            // 503, as for a stopping server: every client retries it with the same event ids
            throw new ApiError(503, "unavailable", null, "token " + token.name() + " has " + perToken + " requests in"
                + " flight, the most one token may have; retry with the same event_id when one is answered, or give"
                + " producers tokens of their own");
        }
        return () -> inFlight.computeIfPresent(token.id(), (id, n) -> n == 1 ? null : n - 1);
    }
}
