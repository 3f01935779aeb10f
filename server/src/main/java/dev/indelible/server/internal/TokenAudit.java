package dev.indelible.server.internal;

import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerException;
import dev.indelible.ledger.Operations;
import dev.indelible.server.Tokens;
import dev.indelible.server.Verb;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Creating and revoking a token with its audit event ({@code ops.token_create},
 * {@code ops.token_revoke} on {@code ops-token-<name>}): the one way the CLI and the console change
 * tokens. Public for the {@code indelible} CLI only, not API. Stateless and thread-safe.
 */
public final class TokenAudit {

    private TokenAudit() {
    }

    /**
     * Creates a token and records it; a token whose audit event cannot be written is revoked again,
     * since a token nobody can account for must not work.
     *
     * @param by who asked, added to the event's figures (the console names its signed-in token)
     * @throws IllegalArgumentException naming the field at fault; nothing is created
     */
    public static Tokens.Created create(Ledger ledger, Tokens tokens, String name, List<String> streams, Set<Verb> verbs,
                                        Map<String, String> by) {
        Instant started = Instant.now();
        Tokens.Created created = tokens.create(name, streams, verbs);
        Map<String, String> figures = new HashMap<>(by);
        figures.put("streams", String.join(",", streams));
        figures.put("verbs", String.join(",", verbs.stream().sorted().map(Verb::text).toList()));
        figures.put("id", created.token().id());
        try {
            Operations.record(ledger, "token_create", "token-" + name, "token " + name + " created", started, "ok", figures);
        } catch (LedgerException unaudited) {
            tokens.revoke(name);
            throw unaudited;
        }
        return created;
    }

    /**
     * Revokes every valid token named {@code name} and records it; returns how many.
     *
     * @throws IllegalArgumentException on {@code name} when no valid token has that name
     */
    public static int revoke(Ledger ledger, Tokens tokens, String name, Map<String, String> by) {
        Instant started = Instant.now();
        int revoked = tokens.revoke(name);
        if (revoked == 0) {
            throw new IllegalArgumentException("name: no valid token named '" + name + "'");
        }
        Map<String, String> figures = new HashMap<>(by);
        figures.put("revoked", Integer.toString(revoked));
        Operations.record(ledger, "token_revoke", "token-" + name, "token " + name + " revoked", started, "ok", figures);
        return revoked;
    }
}
