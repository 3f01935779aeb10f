package dev.indelible.server.internal;

import dev.indelible.server.Token;
import dev.indelible.server.Tokens;
import dev.indelible.server.Verb;
import java.net.InetAddress;

/**
 * Who may do what, for both APIs: the bearer token, the rate limit on failures per address, and
 * each failure counted by reason. Errors are {@link ApiError}s (401, 403, 429). Thread-safe.
 */
final class Access {
    private final Tokens tokens;
    private final ServerMetrics metrics;
    private final FailedAuthLimiter limiter;

    Access(Tokens tokens, ServerMetrics metrics, int failedAuthPerMinute) {
        this.tokens = tokens;
        this.metrics = metrics;
        this.limiter = new FailedAuthLimiter(failedAuthPerMinute);
    }

    /** The valid token of an {@code Authorization} header value. */
    Token authenticate(InetAddress address, String header) {
        if (limiter.blocked(address)) {
            metrics.authFailure("rate_limited");
            throw new ApiError(429, "too_many_requests", "authorization", "too many failed authentications from "
                + address.getHostAddress() + "; wait a minute");
        }
        if (header == null || !header.startsWith("Bearer ")) {
            fail(address, "missing");
            throw new ApiError(401, "unauthenticated", "authorization", "send Authorization: Bearer <token>"
                + " (indelible token create prints one)");
        }
        Token token = tokens.authenticate(header.substring(7).strip()).orElse(null);
        if (token == null) {
            fail(address, "invalid");
            throw new ApiError(401, "unauthenticated", "authorization", "the token is unknown or revoked");
        }
        return token;
    }

    /** Refuses (403) unless {@code token} may do {@code verb} on {@code stream} (null: the verb at all). */
    void permit(InetAddress address, Token token, Verb verb, String stream) {
        if (!token.allows(verb, stream)) {
            fail(address, "forbidden");
            throw new ApiError(403, "permission_denied", stream == null ? "authorization" : "stream", "token " + token.name()
                + " may not " + verb.text() + (stream == null ? "" : " stream " + stream) + " (streams "
                + token.streams() + ", verbs " + token.verbs().stream().map(Verb::text).sorted().toList() + ")");
        }
    }

    private void fail(InetAddress address, String reason) {
        limiter.failed(address);
        metrics.authFailure(reason);
    }
}
