package dev.indelible.server.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerException;
import dev.indelible.ledger.Operations;
import dev.indelible.ledger.RecordedEvent;
import dev.indelible.ledger.proto.OperationRecorded;
import dev.indelible.server.Token;
import dev.indelible.server.Tokens;
import dev.indelible.server.Verb;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Creating and revoking a token with its audit event ({@code ops.token_create},
 * {@code ops.token_revoke} on {@code ops-token-<name>}): the one way the CLI and the console change
 * tokens. The events carry what another node over the same journal needs to make the same change
 * ({@link TokenReplication}): a token's salt and salted hash, a revocation's ids. Public for the
 * {@code indelible} CLI only, not API. Stateless and thread-safe.
 */
public final class TokenAudit {

    private static final HexFormat HEX = HexFormat.of();
    private static final String ID = "id";
    private static final String IDS = "ids";
    private static final String NAME = "name";
    private static final String STREAMS = "streams";
    private static final String STREAM_LIST = "streams_json"; // exact: a pattern may hold a comma
    private static final String VERBS = "verbs";
    private static final String CREATED_AT = "created_at";
    private static final String REVOKED_AT = "revoked_at";
    private static final String SALT = "salt";
    private static final String SHA256 = "sha256";
    static final String STREAM_PREFIX = Operations.STREAM_PREFIX + "token-";
    private static final ObjectMapper JSON = new ObjectMapper();

    private TokenAudit() {
    }

    /**
     * Applies another node's token change, an event of an {@code ops-token-} stream, to {@code tokens}:
     * a creation adds the token (unless its id is known), a revocation revokes the ids it names. An
     * event from before these figures were recorded (no salt, no ids) changes nothing.
     *
     * @return whether {@code tokens} changed
     */
    static boolean apply(Tokens tokens, RecordedEvent event) throws InvalidProtocolBufferException {
        Map<String, String> figures = OperationRecorded.parseFrom(event.payload()).getFiguresMap();
        if (event.type().equals("ops.token_create") && figures.containsKey(SHA256)) {
            Set<Verb> verbs = EnumSet.noneOf(Verb.class);
            for (String verb : figures.get(VERBS).split(",")) {
                verbs.add(Verb.parse(verb));
            }
            Token token = new Token(figures.get(NAME), figures.get(ID), streams(figures.get(STREAM_LIST)), verbs,
                Instant.parse(figures.get(CREATED_AT)), null);
            return tokens.adopt(new Tokens.Kept(token, HEX.parseHex(figures.get(SALT)), HEX.parseHex(figures.get(SHA256))));
        }
        if (event.type().equals("ops.token_revoke") && figures.containsKey(IDS)) {
            return tokens.revokeIds(List.of(figures.get(IDS).split(",")), Instant.parse(figures.get(REVOKED_AT))) > 0;
        }
        return false;
    }

    private static String json(List<String> streams) {
        try {
            return JSON.writeValueAsString(streams);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> streams(String json) throws InvalidProtocolBufferException {
        try {
            return List.of(JSON.readValue(json, String[].class));
        } catch (JsonProcessingException | RuntimeException e) {
            throw new InvalidProtocolBufferException("streams_json: not a JSON array of stream patterns: " + e.getMessage());
        }
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
        figures.put(STREAMS, String.join(",", streams));
        figures.put(VERBS, String.join(",", verbs.stream().sorted().map(Verb::text).toList()));
        figures.put(ID, created.token().id());
        // What another node needs to accept the token (TokenReplication): never the secret.
        Tokens.Kept kept = tokens.kept(created.token().id()).orElseThrow();
        figures.put(NAME, name);
        figures.put(STREAM_LIST, json(streams));
        figures.put(CREATED_AT, created.token().createdAt().toString());
        figures.put(SALT, HEX.formatHex(kept.salt()));
        figures.put(SHA256, HEX.formatHex(kept.sha256()));
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
        List<String> ids = tokens.list().stream().filter(t -> t.name().equals(name) && !t.revoked()).map(Token::id).toList();
        int revoked = tokens.revokeIds(ids, started); // the ids and time the event gives every other node
        if (revoked == 0) {
            throw new IllegalArgumentException("name: no valid token named '" + name + "'");
        }
        Map<String, String> figures = new HashMap<>(by);
        figures.put("revoked", Integer.toString(revoked));
        figures.put(IDS, String.join(",", ids));
        figures.put(REVOKED_AT, started.toString());
        Operations.record(ledger, "token_revoke", "token-" + name, "token " + name + " revoked", started, "ok", figures);
        return revoked;
    }
}
