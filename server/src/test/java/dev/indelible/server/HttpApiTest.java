package dev.indelible.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HttpApiTest {
    private static final String ID = "0b6c5f4e-1b1f-4c8e-9a55-3c7f1d2e9a01";

    @TempDir
    Path dir;
    private ServerFixture f;
    private String bot;

    @BeforeEach
    void start() {
        f = new ServerFixture(dir, ServerConfig.defaults().withLimits(4_096, 10));
        bot = f.token("bot", "selfies-*", Verb.APPEND, Verb.READ);
    }

    @AfterEach
    void stop() {
        f.close();
    }

    @Test
    void shouldAppendAndReadBackOneEventAndABatch() {
        Http.Response one = f.http.post("/streams/selfies-user-7", bot, Http.selfie(7, "f1"));
        assertEquals(200, one.status(), one.body());
        assertEquals(0, one.json().get("first_stream_version").asLong());
        Http.Response batch = f.http.post("/streams/selfies-user-7?expected_version=0", bot,
            "[" + Http.selfie(7, "f2") + "," + Http.selfie(7, "f3") + "]");
        assertEquals(200, batch.status(), batch.body());
        assertEquals(2, batch.json().get("count").asInt());
        assertEquals(2, batch.json().get("last_stream_version").asLong());
        JsonNode read = f.http.get("/streams/selfies-user-7?from_version=1&limit=5", bot).json();
        assertEquals(List.of("f2", "f3"), read.get("events").findValues("file_id").stream().map(JsonNode::asText).toList());
        assertEquals(3, read.get("next_version").asLong());
    }

    @Test
    void shouldAnswerARetryWithTheSameEventIdWithTheOriginalPosition() {
        String event = Http.selfie(7, "f1").replace("{\"type\"", "{\"event_id\":\"" + ID + "\",\"type\"");
        Http.Response first = f.http.post("/streams/selfies-user-7", bot, event);
        Http.Response retry = f.http.post("/streams/selfies-user-7", bot, event);
        assertEquals(200, retry.status(), retry.body());
        assertTrue(retry.json().get("duplicate").asBoolean());
        assertEquals(first.json().get("first_global_seq"), retry.json().get("first_global_seq"));
        assertEquals(1, f.ledger.readStream("selfies-user-7", 0, 10).size());
        Http.Response conflict = f.http.post("/streams/selfies-user-7", bot, event.replace("\"f1\"", "\"other\""));
        assertEquals(409, conflict.status(), conflict.body());
        assertEquals("event_id_conflict", conflict.json().get("error").asText());
    }

    @Test
    void shouldRefuseBadRequestsWithTheirFieldAndAppendNothing() {
        f.http.post("/streams/selfies-user-7", bot, Http.selfie(7, "f1"));
        long head = f.ledger.head();
        expect(409, "wrong_expected_version", "expected_version",
            f.http.post("/streams/selfies-user-7?expected_version=new", bot, Http.selfie(7, "f2")));
        assertEquals(0, f.http.post("/streams/selfies-user-7?expected_version=new", bot, Http.selfie(7, "f2"))
            .json().get("actual_version").asLong());
        expect(400, "invalid_argument", "body", f.http.post("/streams/selfies-user-7", bot, "{\"type\": "));
        expect(400, "invalid_argument", "data.file_id",
            f.http.post("/streams/selfies-user-7", bot, Http.selfie(7, "f2").replace(",\"file_id\":\"f2\"", "")));
        expect(400, "invalid_argument", "events[1].data", f.http.post("/streams/selfies-user-7", bot,
            "[" + Http.selfie(7, "f2") + "," + Http.selfie(7, "f3").replace("\"user_id\":7", "\"user_id\":\"seven\"") + "]"));
        expect(400, "invalid_argument", "expected_version",
            f.http.post("/streams/selfies-user-7?expected_version=soon", bot, Http.selfie(7, "f2")));
        expect(413, "request_too_large", "body", f.http.post("/streams/selfies-user-7", bot,
            Http.selfie(7, "x".repeat(5_000))));
        expect(413, "too_many_events", "events", f.http.post("/streams/selfies-user-7", bot,
            "[" + String.join(",", java.util.Collections.nCopies(11, Http.selfie(7, "f"))) + "]"));
        assertEquals(head, f.ledger.head(), "nothing appended");
    }

    @Test
    void shouldRefuseTrailingContentInvalidUtf8AndAnEventsObjectNamingTheFieldAndWriteNothing() {
        String one = Http.selfie(7, "a");
        expect(400, "invalid_argument", "body", f.http.post("/streams/selfies-user-7", bot, one + one));
        expect(400, "invalid_argument", "events", f.http.post("/streams/selfies-user-7", bot, "{\"events\": " + one + "}"));
        byte[] bytes = ("{\"type\": \"note.added\", \"data\": {\"text\": \"caf\u00e9\"}}").getBytes(StandardCharsets.UTF_8);
        byte[] broken = java.util.Arrays.copyOf(bytes, bytes.length);
        int e = new String(bytes, StandardCharsets.ISO_8859_1).indexOf('\u00c3'); // the first byte of the two of 'é'
        broken[e + 1] = (byte) 0x28; // no longer a continuation byte: invalid UTF-8
        expect(400, "invalid_argument", "body", f.http.post("/streams/selfies-user-7", bot, broken));
        assertEquals(0, f.ledger.head());
        assertEquals(200, f.http.post("/streams/selfies-user-7", bot, bytes).status(), "the same body, valid, is taken");
    }

    @Test
    void shouldRefuseAnUnknownQueryParameterOnEveryRouteNamingIt() {
        String all = f.token("all", "*", Verb.APPEND, Verb.READ, Verb.QUERY, Verb.STATUS);
        expect(400, "invalid_argument", "form", f.http.get("/events?form=5", all));
        expect(400, "invalid_argument", "stream", f.http.get("/events?stream=selfies-user-777", all));
        expect(400, "invalid_argument", "expect", f.http.post("/streams/selfies-user-7?expect=new", all, Http.selfie(7, "a")));
        expect(400, "invalid_argument", "from", f.http.get("/streams/selfies-user-7?from=1", all));
        expect(400, "invalid_argument", "usr", f.http.get("/projections/selfies?user=7&usr=8", all));
        expect(400, "invalid_argument", "x", f.http.get("/status?x=1", all));
        expect(400, "invalid_argument", "x", f.http.get("/metrics?x=1", all));
        expect(400, "invalid_argument", "x", f.http.get("/health/live?x=1", null));
        assertEquals(0, f.ledger.head());
        assertEquals(200, f.http.post("/streams/selfies-user-7?expected_version=new", all, Http.selfie(7, "a")).status());
        assertEquals(200, f.http.get("/events?from=0&limit=5", all).status());
    }

    @Test
    void shouldAnswerHealthWithoutATokenAndTellNothingElse() {
        assertEquals(200, f.http.post("/streams/selfies-user-7", bot, Http.selfie(7, "a")).status());
        Http.Response live = f.http.get("/health/live", null);
        assertEquals(200, live.status(), live.body());
        assertEquals("{\"status\":\"live\"}", live.body());
        assertTrue(f.engine.awaitCaughtUp(Duration.ofSeconds(30)));
        Http.Response ready = f.http.get("/health/ready", null);
        assertEquals(200, ready.status(), ready.body());
        assertEquals("{\"status\":\"ready\"}", ready.body());
        expect(404, "not_found", "path", f.http.get("/health/secrets", null));
        for (int i = 0; i < 30; i++) {
            assertEquals(200, f.http.get("/health/live", null).status(), "health is never rate-limited");
        }
    }

    @Test
    void shouldAnswerAQueryOnlyFromStreamsTheTokenMayRead() {
        new dev.indelible.projections.reference.Accounts(f.ledger, id -> java.util.Optional.empty()).register("alice@example.com", "Alice");
        assertEquals(200, f.http.post("/streams/selfies-user-9", bot, Http.selfie(9, "f")).status());
        assertTrue(f.engine.awaitCaughtUp(Duration.ofSeconds(30)));
        String selfiesOnly = f.token("selfie-reader", "selfies-*", Verb.QUERY);
        String oneUser = f.token("user-9", "selfies-user-9", Verb.QUERY);

        expect(403, "permission_denied", "projection", f.http.get("/projections/accounts?email=alice@example.com", selfiesOnly));
        expect(403, "permission_denied", "projection", f.http.get("/projections/community?member=max", selfiesOnly));
        expect(403, "permission_denied", "projection", f.http.get("/projections/selfies?user=8", oneUser));
        assertEquals(1, f.http.get("/projections/selfies?user=9", selfiesOnly).json().get("rows").size());
        assertEquals(1, f.http.get("/projections/selfies?user=9", oneUser).json().get("rows").size());
        String everything = f.token("auditor", "*", Verb.QUERY);
        assertEquals("alice@example.com", f.http.get("/projections/accounts?email=alice@example.com", everything).json()
            .get("rows").get(0).get("email").asText());
    }

    @Test
    void shouldAnswerNotFoundForUnknownStreamsProjectionsAndRoutes() {
        expect(404, "not_found", "stream", f.http.get("/streams/selfies-nobody", bot));
        String reader = f.token("reader", "*", Verb.QUERY, Verb.READ, Verb.STATUS);
        expect(404, "not_found", "projection", f.http.get("/projections/nonsense", reader));
        expect(404, "not_found", "path", f.http.get("/nowhere", reader));
        expect(400, "invalid_argument", "user", f.http.get("/projections/selfies", reader));
    }

    @Test
    void shouldAnswerQueriesEventsStatusAndMetrics() {
        for (int i = 0; i < 3; i++) {
            assertEquals(200, f.http.post("/streams/selfies-user-9", bot, Http.selfie(9, "f" + i)).status());
        }
        String reader = f.token("reader", "*", Verb.QUERY, Verb.READ, Verb.STATUS);
        assertTrue(f.engine.awaitCaughtUp(Duration.ofSeconds(30)));
        JsonNode rows = f.http.get("/projections/selfies?user=9", reader).json().get("rows");
        assertEquals(3, rows.size());
        JsonNode events = f.http.get("/events?from=0&limit=2", reader).json();
        assertEquals(2, events.get("events").size());
        assertEquals(2, events.get("next").asLong());
        assertEquals(f.ledger.head(), f.http.get("/status", reader).json().get("head").asLong());
        String metrics = f.http.get("/metrics", reader).body();
        assertTrue(metrics.contains("indelible_http_appends_total{result=\"appended\"} 3.0"), metrics);
        f.ledger.append("accounts-x", dev.indelible.ledger.ExpectedVersion.ANY,
            dev.indelible.ledger.EventData.json("note.added", "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        JsonNode visible = f.http.get("/events?from=0", bot).json();
        assertEquals(3, visible.get("events").size(), "only the streams the token may read");
        assertEquals(4, visible.get("next").asLong());
        expect(403, "permission_denied", "authorization", f.http.get("/events", f.token("writer", "*", Verb.APPEND)));
    }

    @Test
    void shouldTellAClientToReconnectAfterARefusalThatLeftTheBodyUnread() throws Exception {
        // Refused before its body is read, the connection is closed after the answer: a client
        // reusing it would get no answer at all, so the answer must say Connection: close.
        java.net.http.HttpResponse<String> refused = java.net.http.HttpClient.newHttpClient().send(
            java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + f.server.port()
                + "/streams/selfies-user-7")).POST(java.net.http.HttpRequest.BodyPublishers.ofString(Http.selfie(7, "a")))
                .build(), java.net.http.HttpResponse.BodyHandlers.ofString());

        assertEquals(401, refused.statusCode(), refused.body());
        assertEquals("close", refused.headers().firstValue("connection").orElse(""), refused.headers().toString());
    }

    @Test
    void shouldRefuseMissingWrongRevokedAndOutOfScopeTokensAndAppendNothing() throws Exception {
        long head = f.ledger.head();
        expect(401, "unauthenticated", "authorization", f.http.post("/streams/selfies-user-7", null, Http.selfie(7, "a")));
        expect(401, "unauthenticated", "authorization",
            f.http.post("/streams/selfies-user-7", bot.substring(0, bot.length() - 2) + "xx", Http.selfie(7, "b")));
        expect(403, "permission_denied", "stream", f.http.post("/streams/accounts-1", bot, Http.selfie(7, "c")));
        String readOnly = f.token("reader", "selfies-*", Verb.READ);
        expect(403, "permission_denied", "stream", f.http.post("/streams/selfies-user-7", readOnly, Http.selfie(7, "d")));
        assertEquals(1, f.tokens.revoke("bot"));
        expect(401, "unauthenticated", "authorization", f.http.post("/streams/selfies-user-7", bot, Http.selfie(7, "e")));
        assertEquals(head, f.ledger.head(), "nothing appended");
        String file = Files.readString(f.tokens.file());
        assertFalse(file.contains(bot.substring(21)), "the token file holds no secret");
        assertFalse(file.contains(readOnly.substring(21)), "the token file holds no secret");
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(f.tokens.file())));
        assertTrue(f.http.get("/metrics", f.token("ops", "*", Verb.STATUS)).body()
            .contains("indelible_http_auth_failures_total{reason=\"forbidden\"} 2.0"));
    }

    @Test
    void shouldKeepOneMetricSeriesPerRouteTemplateWhateverPathsAreAsked() {
        for (int i = 0; i < 200; i++) {
            f.http.get("/no-such-path-" + i, null);
            f.http.get("/streams/s-" + i + "/deeper", null);
            f.http.get("/streams/selfies-user-" + i, bot);
        }
        String scrape = f.http.get("/metrics", f.token("ops", "*", Verb.STATUS)).body();
        List<String> series = scrape.lines().filter(l -> l.startsWith("indelible_http_requests_seconds_count")).toList();
        assertTrue(series.size() <= 8, "one series per route template and status, not per path: " + series);
        assertFalse(scrape.contains("no-such-path") || scrape.contains("deeper") || scrape.contains("selfies-user-"),
            "no request path in a metric");
        assertTrue(series.stream().anyMatch(l -> l.contains("route=\"GET /streams/{stream}\"")), series.toString());
        assertTrue(series.stream().anyMatch(l -> l.contains("route=\"unmatched\"")), series.toString());
    }

    @Test
    void shouldRateLimitFailuresOfAnAddressButNeverRefuseAValidToken() {
        for (int i = 0; i < 20; i++) {
            assertEquals(401, f.http.get("/streams/selfies-user-7", "idl_0000000000000000_wrong").status());
        }
        expect(429, "too_many_requests", "authorization", f.http.get("/streams/selfies-user-7", "idl_0000000000000000_wrong"));
        expect(429, "too_many_requests", "authorization", f.http.get("/streams/selfies-user-7", null));
        assertEquals(200, f.http.post("/streams/selfies-user-7", bot, Http.selfie(7, "a")).status(),
            "a valid token from the same address is never locked out by others' failures");
        assertEquals(200, f.http.get("/streams/selfies-user-7", bot).status());
    }

    @Test
    void shouldRefuseANonLoopbackBindWithoutInsecure() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
            () -> ServerConfig.defaults().withBind("0.0.0.0", 0).checkedAddress());
        assertTrue(refused.getMessage().startsWith("bind: 0.0.0.0 is not a loopback address"), refused.getMessage());
        assertEquals("0.0.0.0", ServerConfig.defaults().withBind("0.0.0.0", 0).withInsecure(true).checkedAddress().getHostAddress());
    }

    @Test
    void shouldRefuseAStreamPrefixNoStreamCanStartWithOnEventsAndSubscribeAsGrpcDoes() {
        String tooLong = "s".repeat(5_000);
        for (String route : List.of("/events?stream_prefix=", "/subscribe?stream_prefix=")) {
            Http.Response control = f.http.get(route + "selfies%01", bot);
            expect(400, "invalid_argument", "stream_prefix", control);
            assertEquals("must not contain control characters (at index 7)", control.json().get("message").asText());
            Http.Response longer = f.http.get(route + tooLong, bot);
            expect(400, "invalid_argument", "stream_prefix", longer);
            assertTrue(longer.json().get("message").asText().startsWith("is 5000 UTF-8 bytes"), longer.body());
        }
        assertEquals(200, f.http.get("/events?stream_prefix=selfies-&limit=1", bot).status());
    }

    private static void expect(int status, String error, String field, Http.Response response) {
        assertEquals(status, response.status(), response.body());
        assertEquals(error, response.json().get("error").asText(), response.body());
        assertEquals(field, response.json().path("field").asText(), response.body());
    }
}
