package dev.indelible.server.internal;

import static dev.indelible.ledger.testing.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.Operations;
import dev.indelible.server.Token;
import dev.indelible.server.Tokens;
import dev.indelible.server.Verb;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes over one journal, each with its own token file (as a cluster's nodes are): a token
 * created or revoked on one is accepted or refused on the other within a poll, from the journal alone.
 */
class TokenReplicationTest {
    private static final Duration WITHIN = Duration.ofMillis(10 * TokenReplication.POLL_MILLIS);

    @TempDir
    Path tmp;

    @Test
    void shouldAcceptAndThenRefuseATokenCreatedAndRevokedOnAnotherNode() throws Exception {
        try (Ledger ledger = Ledger.open(tmp.resolve("journal"), LedgerConfig.defaults())) {
            Tokens nodeA = Tokens.open(tmp.resolve("a"));
            Tokens nodeB = Tokens.open(tmp.resolve("b"));
            // From before the figures were recorded: nothing to adopt, and nothing fails.
            Operations.record(ledger, "token_create", "token-old", "token old created", Instant.EPOCH, "ok",
                Map.of("id", "0123456789abcdef", "streams", "*", "verbs", "append"));
            String bot = TokenAudit.create(ledger, nodeA, "bot", List.of("selfies-*", "a,b"), EnumSet.of(Verb.APPEND, Verb.READ),
                Map.of()).secret();
            String ops;
            try (TokenReplication onB = new TokenReplication(ledger, nodeB)) {
                await(() -> nodeB.authenticate(bot).isPresent(), WITHIN);
                Token adopted = nodeB.authenticate(bot).orElseThrow();
                assertEquals(nodeA.authenticate(bot).orElseThrow(), adopted, "the same name, id, streams, verbs and time");
                assertEquals(List.of("selfies-*", "a,b"), adopted.streams());
                assertEquals(1, nodeB.list().size(), "the token from before the figures is not adopted");

                ops = TokenAudit.create(ledger, nodeB, "ops", List.of("*"), EnumSet.of(Verb.ADMIN), Map.of()).secret();
                TokenAudit.revoke(ledger, nodeA, "bot", Map.of());
                await(() -> nodeB.authenticate(bot).isEmpty(), WITHIN);
                assertTrue(nodeB.authenticate(ops).isPresent(), "its own token stays");
            }
            try (TokenReplication onA = new TokenReplication(ledger, nodeA)) {
                await(() -> nodeA.list().size() == 2, WITHIN);
            }
            assertTrue(nodeA.list().stream().anyMatch(t -> t.name().equals("ops") && !t.revoked()), "B's token reached A");

            // A new node reads the journal from the start: each stream's changes in order, so bot ends revoked.
            Tokens nodeC = Tokens.open(tmp.resolve("c"));
            try (TokenReplication onC = new TokenReplication(ledger, nodeC)) {
                await(() -> nodeC.list().size() == 2, WITHIN);
                assertTrue(nodeC.authenticate(bot).isEmpty(), "created, then revoked");
                assertEquals(nodeB.authenticate(ops).orElseThrow().id(), nodeC.authenticate(ops).orElseThrow().id());
            }
        }
    }
}
