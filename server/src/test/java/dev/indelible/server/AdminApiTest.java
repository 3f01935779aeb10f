package dev.indelible.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP API's admin routes: what the console does, for a script with an admin token; the same checks and audit. */
class AdminApiTest {
    @TempDir
    Path dir;
    private ServerFixture f;
    private String admin;

    @BeforeEach
    void start() {
        f = new ServerFixture(dir);
        admin = f.token("ops", "*", Verb.ADMIN);
        String bot = f.token("bot", "selfies-*", Verb.APPEND);
        for (int user = 1; user <= 5; user++) {
            assertEquals(200, f.http.post("/streams/selfies-user-" + user, bot, Http.selfie(user, "f" + user)).status());
        }
    }

    @AfterEach
    void stop() {
        f.close();
    }

    @Test
    void shouldVerifyRebuildAndRollBackWithAnAdminTokenEachAuditedNamingIt() {
        Http.Response verify = f.http.post("/admin/verify", admin, "");
        assertEquals(200, verify.status(), verify.body());
        List<Map.Entry<String, JsonNode>> events = ConsoleClient.serverSentEvents(verify.body());
        assertEquals("result", events.get(events.size() - 1).getKey(), verify.body());
        assertTrue(events.get(events.size() - 1).getValue().get("ok").asBoolean());

        Http.Response nothingToRollBackTo = f.http.post("/admin/projections/selfies/rollback", admin, "");
        assertEquals(409, nothingToRollBackTo.status(), nothingToRollBackTo.body());
        assertTrue(nothingToRollBackTo.body().contains("no previous version"), nothingToRollBackTo.body());

        Http.Response rebuild = f.http.post("/admin/projections/selfies/rebuild", admin, "");
        events = ConsoleClient.serverSentEvents(rebuild.body());
        JsonNode rebuilt = events.get(events.size() - 1).getValue();
        assertEquals(rebuilt.get("previous_digest"), rebuilt.get("new_digest"), "the same journal, the same digest");
        assertEquals(200, f.http.post("/admin/projections/selfies/rollback", admin, "").status());
        JsonNode versions = f.http.get("/admin/projections/selfies", admin).json();
        assertEquals(rebuilt.get("previous_version").asText(), versions.get("live").asText());

        JsonNode audit = f.http.get("/admin/audit?by=ops", admin).json();
        assertEquals(List.of("ops.rollback", "ops.replay", "ops.verify"), audit.get("events").findValues("type").stream()
            .map(JsonNode::asText).toList(), "newest first; the refused rollback wrote nothing");
        audit.get("events").forEach(e -> assertEquals("http", e.get("data").get("figures").get("via").asText()));
    }

    @Test
    void shouldEraseADataSubjectSoItsFieldsReadErasedEverywhere() {
        String accounts = f.token("accounts", "email-*", Verb.APPEND);
        String reader = f.token("reader", "*", Verb.READ, Verb.QUERY);
        for (String[] a : new String[][] {{"acc-1", "ann@example.com", "Ann"}, {"acc-2", "ben@example.com", "Ben"}}) {
            assertEquals(200, f.http.post("/streams/email-" + a[1], accounts, "{\"type\":\"account.registered\",\"data\":"
                + "{\"account_id\":\"" + a[0] + "\",\"email\":\"" + a[1] + "\",\"display_name\":\"" + a[2] + "\"}}").status());
        }
        assertTrue(f.engine.awaitPosition("accounts", f.ledger.head() - 1, java.time.Duration.ofSeconds(30)));
        assertTrue(f.http.get("/events?from=5", reader).body().contains("\"email\":\"ben@example.com\""));

        Http.Response erased = f.http.post("/admin/erase?subject=account-acc-2", admin, "");
        assertEquals(200, erased.status(), erased.body());
        assertEquals("{\"subject\":\"account-acc-2\",\"erased\":true,\"already_erased\":false}", erased.body());
        String events = f.http.get("/events?from=5", reader).body();
        assertTrue(events.contains("\"email\":\"ann@example.com\"") && events.contains("\"email\":\"[erased]\"")
            && !events.contains("ben@example.com") && !events.contains("\"Ben\""), events);
        String ben = f.http.get("/projections/accounts?email=ben@example.com", reader).body();
        assertTrue(ben.contains("\"email\":\"[erased]\",\"display_name\":\"[erased]\""), ben);
        assertEquals("{\"subject\":\"account-acc-2\",\"erased\":true,\"already_erased\":true}",
            f.http.post("/admin/erase?subject=account-acc-2", admin, "").body());
        assertEquals(400, f.http.post("/admin/erase", admin, "").status());
        assertEquals(404, f.http.post("/admin/erase?subject=account-nobody", admin, "").status());
        assertEquals(403, f.http.post("/admin/erase?subject=account-acc-1", reader, "").status());
        JsonNode audit = f.http.get("/admin/audit?by=ops", admin).json();
        assertEquals(List.of("ops.erase"), audit.get("events").findValues("type").stream().map(JsonNode::asText).toList());
    }

    @Test
    void shouldRefuseEveryAdminRouteWithoutAnAdminTokenAndDoNothing() {
        String reader = f.token("reader", "*", Verb.READ, Verb.QUERY, Verb.STATUS);
        String live = f.engine.status("selfies").liveVersion();
        for (String path : List.of("/admin/verify", "/admin/projections/selfies/rebuild", "/admin/projections/selfies/rollback")) {
            assertEquals(403, f.http.post(path, reader, "").status(), path);
            assertEquals(401, f.http.post(path, null, "").status(), path);
        }
        assertEquals(403, f.http.get("/admin/audit", reader).status());
        assertEquals(403, f.http.get("/admin/projections/selfies", reader).status());
        assertEquals(live, f.engine.status("selfies").liveVersion());
        assertEquals(0, f.http.get("/admin/audit", admin).json().get("events").size(), "nothing ran, nothing audited");
        assertEquals(404, f.http.post("/admin/projections/nothing/rebuild", admin, "").status());
        assertEquals(404, f.http.post("/admin/scrub", admin, "").status());
        assertEquals(400, f.http.post("/admin/verify?now=1", admin, "").status(), "an unknown parameter is refused");
    }
}
