package dev.indelible.server.internal;

import dev.indelible.server.Token;
import dev.indelible.server.Tokens;
import dev.indelible.server.Verb;
import java.net.InetAddress;

/**
 * Who may do what, for both APIs: the bearer token, the rate limit on failed authentications, and
 * each failure counted by reason. Errors are {@link ApiError}s (401, 403, 429). Thread-safe.
 *
 * <p>Design note: a valid token is always accepted. Failures are counted per client address and
 * per token id, and past the limit only failing attempts are refused (429): everything local shares
 * 127.0.0.1, so refusing the address would let any local process without a token lock every local
 * producer out. Secrets are 256 random bits, so the limit is about noise, not guessing.
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
        String secret = header != null && header.startsWith("Bearer ") ? header.substring(7).strip() : null;
        Token token = secret == null ? null : tokens.authenticate(secret).orElse(null);
        if (token != null) {
            return token;
        }
        String tokenId = Tokens.idOf(secret);
        if (limiter.blocked(address) || (tokenId != null && limiter.blocked(tokenId))) {
            metrics.authFailure("rate_limited");
            throw new ApiError(429, "too_many_requests", "authorization", "too many failed authentications from "
                + address.getHostAddress() + (tokenId == null ? "" : " or for token id " + tokenId) + "; wait a minute"
                + " (a valid token is still accepted)");
        }
        limiter.failed(address);
        if (tokenId != null) {
            limiter.failed(tokenId);
        }
        metrics.authFailure(secret == null ? "missing" : "invalid");
        throw secret == null
            ? new ApiError(401, "unauthenticated", "authorization", "send Authorization: Bearer <token>"
                + " (indelible token create prints one)")
            : new ApiError(401, "unauthenticated", "authorization", "the token is unknown or revoked");
    }

    /** Whether a token that authenticated earlier is still valid: long calls end when it is revoked. */
    boolean stillValid(Token token) {
        return tokens.isValid(token.id());
    }

    /** Refuses (403) unless {@code token} may do {@code verb} on {@code stream} (null: the verb at all). */
    void permit(InetAddress address, Token token, Verb verb, String stream) {
        permit(address, token, verb, stream, stream == null ? "authorization" : "stream");
    }

    /** {@link #permit(InetAddress, Token, Verb, String)}, naming {@code field} (e.g. {@code parts[1].stream}) when refused. */
    void permit(InetAddress address, Token token, Verb verb, String stream, String field) {
        if (!token.allows(verb, stream)) {
            if (verb == Verb.APPEND && stream != null && Token.isAuditStream(stream) && token.allows(verb, null)) {
                metrics.authFailure("forbidden");
                throw new ApiError(403, "permission_denied", field, "token " + token.name() + " may not append stream "
                    + stream + ": the ops-* streams are the ledger's audit trail, appended to only with the admin verb"
                    + " (the ledger's own operations record there)");
            }
            throw forbidden(token, verb.text(), stream, field);
        }
    }

    /**
     * Refuses (403) a transaction's condition on {@code stream} unless {@code token} may read it or
     * append to it: a condition tells the stream's version, which either verb already tells.
     */
    void permitCondition(InetAddress address, Token token, String stream, String field) {
        if (!token.allows(Verb.READ, stream) && !token.allows(Verb.APPEND, stream)) {
            throw forbidden(token, "read or append", stream, field);
        }
    }

    private ApiError forbidden(Token token, String verb, String stream, String field) {
        metrics.authFailure("forbidden"); // a valid token's mistake: counted, never rate-limited
        return new ApiError(403, "permission_denied", field, "token " + token.name() + " may not " + verb
            + (stream == null ? "" : " stream " + stream) + " (streams " + token.streams() + ", verbs "
            + token.verbs().stream().map(Verb::text).sorted().toList() + ")");
    }
}
