package dev.indelible.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.Operations;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console's audit trail over real HTTP: ops events newest first across their streams, filtered and paged. */
class ConsoleAuditTest {
    @TempDir
    Path dir;
    private ServerFixture f;
    private ConsoleClient console;

    @BeforeEach
    void start() {
        f = new ServerFixture(dir);
        console = new ConsoleClient(f.server.port());
        console.signIn(f.token("ops", "*", Verb.ADMIN));
        for (int i = 0; i < 30; i++) {
            String subject = i % 3 == 0 ? "token-bot" : i % 3 == 1 ? "projection-selfies" : "backup";
            Operations.record(f.ledger, i % 3 == 1 ? "replay" : "backup", subject, "op " + i, Instant.EPOCH, "ok",
                i % 2 == 0 ? Map.of("by_token", "ops", "n", Integer.toString(i)) : Map.of("n", Integer.toString(i)));
            f.ledger.append("orders-" + i, ExpectedVersion.ANY, EventData.json("order.placed", "{}".getBytes(StandardCharsets.UTF_8)));
        }
    }

    @AfterEach
    void stop() {
        f.close();
    }

    @Test
    void shouldPageTheAuditTrailNewestFirstAcrossItsStreams() {
        List<Integer> seen = new ArrayList<>();
        List<Long> positions = new ArrayList<>();
        String before = "";
        for (int page = 0; page < 3; page++) {
            JsonNode answer = console.get("/console/api/audit?limit=10" + before).json();
            answer.get("events").forEach(e -> {
                seen.add(Integer.parseInt(e.get("data").get("figures").get("n").asText()));
                positions.add(e.get("global_seq").asLong());
            });
            before = answer.get("next").isNull() ? null : "&before=" + answer.get("next").asLong();
            if (page < 2) {
                assertTrue(before != null, "more pages: " + answer);
            }
        }
        List<Integer> newestFirst = new ArrayList<>();
        for (int i = 29; i >= 0; i--) {
            newestFirst.add(i);
        }
        assertEquals(newestFirst, seen.subList(0, 30), "every ops event once, newest first, none of the orders");
        for (int i = 1; i < positions.size(); i++) {
            assertTrue(positions.get(i) < positions.get(i - 1), positions.toString());
        }
    }

    @Test
    void shouldFilterByStreamPrefixTypeAndWhoAsked() {
        JsonNode tokens = console.get("/console/api/audit?stream_prefix=ops-token-&limit=100").json();
        assertEquals(10, tokens.get("events").size());
        tokens.get("events").forEach(e -> assertEquals("ops-token-bot", e.get("stream").asText()));
        assertTrue(tokens.get("next").isNull(), "nothing older");

        JsonNode replays = console.get("/console/api/audit?type=ops.replay&limit=100").json();
        assertEquals(10, replays.get("events").size());
        replays.get("events").forEach(e -> assertEquals("ops.replay", e.get("type").asText()));

        JsonNode byOps = console.get("/console/api/audit?by=ops&type=ops.backup,ops.replay&limit=100").json();
        assertEquals(15, byOps.get("events").size(), "the even ones named the token");
        byOps.get("events").forEach(e -> assertEquals("ops", e.get("data").get("figures").get("by_token").asText()));

        JsonNode refused = console.get("/console/api/audit?stream_prefix=orders-").json();
        assertEquals("stream_prefix", refused.get("field").asText(), refused.toString());
        assertEquals(400, console.get("/console/api/audit?befor=3").status(), "an unknown parameter is refused");
        console.cookie = null;
        assertEquals(401, console.get("/console/api/audit").status(), "only for a signed-in admin");
    }
}
