package dev.indelible.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.RecordedEvent;
import dev.indelible.ledger.testing.Await;
import dev.indelible.projections.ProjectionEngine;
import dev.indelible.projections.reference.DomainEvents;
import dev.indelible.projections.reference.ReferenceProjections;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The web console's sign-in, session, CSRF and admin rules, over real HTTP on 127.0.0.1. */
class ConsoleTest {
    @TempDir
    Path dir;
    private final MovableClock clock = new MovableClock();
    private Ledger ledger;
    private ProjectionEngine engine;
    private Tokens tokens;
    private IndelibleServer server;
    private ConsoleClient console;
    private String admin;

    private void start(ServerConfig config) {
        ledger = Ledger.open(dir, DomainEvents.register(LedgerConfig.builder()).build());
        engine = ProjectionEngine.start(ledger, dir.resolve("projections"), ReferenceProjections.all());
        tokens = Tokens.open(dir);
        server = IndelibleServer.start(ledger, engine, tokens, config.withBind("127.0.0.1", 0), clock);
        console = new ConsoleClient(server.port());
        admin = tokens.create("ops", List.of("*"), EnumSet.of(Verb.ADMIN)).secret();
    }

    private void start() {
        start(ServerConfig.defaults());
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
            engine.close();
            ledger.close();
        }
    }

    @Test
    void shouldServeThePageFromTheJarWithoutAToken() {
        start();
        ConsoleClient.Reply page = console.get("/console/");
        assertEquals(200, page.status(), page.body());
        assertTrue(page.header("Content-Type").startsWith("text/html"));
        assertTrue(page.body().contains("/console/console.js"), page.body());
        assertTrue(page.header("Content-Security-Policy").contains("default-src 'none'"));
        assertTrue(console.get("/console/tokens.js").header("Content-Type").startsWith("text/javascript"));
        ConsoleClient.Reply bare = console.get("/console");
        assertEquals(301, bare.status());
        assertEquals("/console/", bare.header("Location"));
        assertEquals(404, console.get("/console/../server/tokens.json").status());
        assertEquals(404, console.get("/console/ConsoleAssets.class").status());
        assertTrue(console.get("/consoles").body().contains("no route GET /consoles"), "only /console/ is the console's");
    }

    @Test
    void shouldSignInWithAnAdminTokenIntoAStrictHttpOnlyCookieSession() {
        start();
        ConsoleClient.Reply in = console.signIn(admin);
        assertEquals(200, in.status(), in.body());
        String cookie = in.header("Set-Cookie");
        assertTrue(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/console")
            && cookie.contains("Max-Age=43200"), cookie);
        assertFalse(cookie.contains("Secure"), "no Secure flag on plain HTTP: the browser would drop the cookie");
        ConsoleClient.Reply proxied = console.send("POST", "/console/api/session", "{\"token\":\"" + admin + "\"}",
            Map.of("Content-Type", "application/json", "X-Forwarded-Proto", "https"));
        assertTrue(proxied.header("Set-Cookie").endsWith("; Secure"), "behind a TLS proxy: " + proxied.header("Set-Cookie"));
        assertFalse(in.body().contains(admin), "the token never comes back");
        ConsoleClient.Reply session = console.get("/console/api/session");
        assertEquals("ops", session.json().get("name").asText());
        assertEquals(console.csrf, session.json().get("csrf").asText());
        assertEquals(200, console.get("/console/api/overview").status());
    }

    @Test
    void shouldRefuseSignInWithAWrongOrANonAdminToken() {
        start();
        String reader = tokens.create("reader", List.of("*"), EnumSet.of(Verb.READ, Verb.STATUS)).secret();
        ConsoleClient.Reply wrong = console.signIn(admin.substring(0, admin.length() - 2) + "xx");
        assertEquals(401, wrong.status(), wrong.body());
        ConsoleClient.Reply notAdmin = console.signIn(reader);
        assertEquals(403, notAdmin.status(), notAdmin.body());
        assertNull(notAdmin.header("Set-Cookie"));
        assertEquals(401, console.get("/console/api/overview").status());
        console.cookie = "indelible_console=made-up";
        assertEquals(401, console.get("/console/api/tokens").status());
    }

    @Test
    void shouldRefuseAChangeWithoutTheCsrfTokenOrFromAnotherOriginAndChangeNothing() {
        start();
        console.signIn(admin);
        String body = "{\"name\":\"bot\",\"streams\":[\"selfies-*\"],\"verbs\":[\"append\"]}";
        Map<String, String> json = Map.of("Content-Type", "application/json");
        assertEquals(403, console.send("POST", "/console/api/tokens", body, json).status());
        assertEquals(403, console.send("POST", "/console/api/tokens", body,
            Map.of("Content-Type", "application/json", "X-CSRF-Token", console.csrf + "x")).status());
        assertEquals(403, console.send("POST", "/console/api/tokens", body, Map.of("Content-Type", "application/json",
            "X-CSRF-Token", console.csrf, "Origin", "http://evil.example")).status());
        assertEquals(403, console.send("POST", "/console/api/tokens", body, Map.of("Content-Type", "application/json",
            "X-CSRF-Token", console.csrf, "Sec-Fetch-Site", "cross-site")).status());
        assertEquals(403, console.send("DELETE", "/console/api/session", null, Map.of()).status());
        assertEquals(List.of("ops"), tokens.list().stream().map(Token::name).toList(), "no token created");
        assertTrue(audit("ops.token_create").isEmpty(), "nothing audited");
        assertEquals(200, console.get("/console/api/session").status(), "the session is still there");

        ConsoleClient.Reply created = console.send("POST", "/console/api/tokens", body, Map.of("Content-Type",
            "application/json", "X-CSRF-Token", console.csrf, "Origin", "http://127.0.0.1:" + server.port(),
            "Sec-Fetch-Site", "same-origin"));
        assertEquals(200, created.status(), created.body());
    }

    @Test
    void shouldCreateAndRevokeATokenAuditedWithTheSignedInTokensName() {
        start();
        console.signIn(admin);
        ConsoleClient.Reply created = console.change("POST", "/console/api/tokens",
            "{\"name\":\"reader\",\"streams\":[\"*\"],\"verbs\":[\"read\"]}");
        assertEquals(200, created.status(), created.body());
        String secret = created.json().get("secret").asText();
        Http api = new Http(server.port());
        assertEquals(200, api.get("/events", secret).status());
        assertEquals("reader", console.get("/console/api/tokens").json().get("tokens").get(1).get("name").asText());

        ConsoleClient.Reply badVerb = console.change("POST", "/console/api/tokens",
            "{\"name\":\"x\",\"streams\":[\"*\"],\"verbs\":[\"delete\"]}");
        assertEquals(400, badVerb.status(), badVerb.body());
        assertEquals("verbs", badVerb.json().get("field").asText());
        assertEquals(400, console.change("POST", "/console/api/tokens",
            "{\"name\":\"root\",\"streams\":[\"a-*\"],\"verbs\":[\"admin\"]}").status(), "an admin token's streams are *");

        assertEquals(200, console.change("POST", "/console/api/tokens/reader/revoke", null).status());
        assertEquals(401, api.get("/events", secret).status());
        assertEquals(400, console.change("POST", "/console/api/tokens/reader/revoke", null).status(), "already revoked");
        Map<String, String> create = audit("ops.token_create").get(0);
        assertEquals("ops", create.get("by_token"));
        assertEquals("read", create.get("verbs"));
        assertEquals("ops", audit("ops.token_revoke").get(0).get("by_token"));
    }

    @Test
    void shouldEndASessionWhenItIdlesOutOrSignsOutOrItsTokenIsRevoked() {
        start();
        console.signIn(admin);
        clock.move(Duration.ofMinutes(29));
        assertEquals(200, console.get("/console/api/overview").status(), "in use: its idle time starts again");
        clock.move(Duration.ofMinutes(31));
        assertEquals(401, console.get("/console/api/overview").status(), "idle 31 minutes");

        console.signIn(admin);
        for (int i = 0; i < 25; i++) {
            clock.move(Duration.ofMinutes(29));
            console.get("/console/api/session");
        }
        assertEquals(401, console.get("/console/api/session").status(), "12 hours at most, however busy");

        console.signIn(admin);
        ConsoleClient.Reply out = console.change("DELETE", "/console/api/session", null);
        assertEquals(200, out.status(), out.body());
        assertTrue(out.header("Set-Cookie").contains("Max-Age=0"));
        assertEquals(401, console.get("/console/api/overview").status(), "signed out");

        console.signIn(admin);
        tokens.revoke("ops");
        assertEquals(401, console.get("/console/api/overview").status(), "its token was revoked");
    }

    @Test
    void shouldCountFailedSignInsTowardTheSameRateLimitAsTheApis() {
        start(ServerConfig.defaults().withFailedAuthPerMinute(3));
        Http api = new Http(server.port());
        String wrong = admin.substring(0, admin.length() - 2) + "xx";
        for (int i = 0; i < 3; i++) {
            assertEquals(401, console.signIn(wrong).status());
        }
        assertEquals(429, console.signIn(wrong).status());
        assertEquals(429, api.get("/status", "idl_0000000000000000_nope").status(), "the API's limit is the same one");
        assertEquals(200, console.signIn(admin).status(), "a valid token is still accepted");
    }

    @Test
    void shouldLetAnAdminTokenReadEveryStreamButNotAppend() {
        start();
        Http api = new Http(server.port());
        assertEquals(200, api.get("/status", admin).status());
        assertEquals(200, api.get("/events", admin).status());
        assertEquals(403, api.post("/streams/selfies-user-7", admin, Http.selfie(7, "f1")).status());
        assertThrows(IllegalArgumentException.class, () -> tokens.create("root", List.of("selfies-*"), EnumSet.of(Verb.ADMIN)));
    }

    @Test
    void shouldPageEventsByPrefixTypeAndPositionAndShowAStreamsHistory() throws Exception {
        start();
        for (int i = 0; i < 30; i++) {
            ledger.append((i % 2 == 0 ? "orders-" : "users-") + (i % 3), ExpectedVersion.ANY,
                EventData.json(i % 5 == 0 ? "order.paid" : "order.placed", ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8)));
        }
        console.signIn(admin);
        JsonNode overview = console.get("/console/api/overview").json();
        assertEquals(ledger.head(), overview.get("head").asLong());
        assertEquals(ledger.config().durability().name(), overview.get("durability").asText());
        // sampled once a second since the server started, before the appends: the seconds add up to them
        Await.await(() -> sum(console.get("/console/api/overview").json().get("events_per_second")) == 30,
            Duration.ofSeconds(10), () -> console.get("/console/api/overview").body());

        JsonNode latest = console.get("/console/api/events?limit=10").json();
        assertEquals(ledger.head() - 10, latest.get("from").asLong(), "the latest page by default");
        assertEquals(10, latest.get("events").size());

        JsonNode page = console.get("/console/api/events?from=0&limit=2&stream_prefix=orders-&type=order.paid").json();
        assertEquals(2, page.get("events").size(), page.toString());
        for (JsonNode e : page.get("events")) {
            assertTrue(e.get("stream").asText().startsWith("orders-") && e.get("type").asText().equals("order.paid"), e.toString());
        }
        JsonNode next = console.get("/console/api/events?from=" + page.get("next").asLong() + "&limit=4&stream_prefix=orders-").json();
        assertTrue(next.get("events").get(0).get("global_seq").asLong() >= page.get("next").asLong());

        JsonNode history = console.get("/console/api/streams/orders-0").json();
        assertEquals(ledger.streamVersion("orders-0") + 1, history.get("events").size());
        assertEquals(400, console.get("/console/api/events?form=3").status(), "an unknown parameter is refused");
        assertEquals(404, console.get("/console/api/streams/nothing-here").status());
    }

    @Test
    void shouldShowEachProjectionsCheckpointLagAndCount() throws Exception {
        start();
        String bot = tokens.create("bot", List.of("selfies-*"), EnumSet.of(Verb.APPEND)).secret();
        Http api = new Http(server.port());
        for (int user = 1; user <= 3; user++) {
            assertEquals(200, api.post("/streams/selfies-user-" + user, bot, Http.selfie(user, "f" + user)).status());
        }
        console.signIn(admin);
        Await.await(() -> {
            JsonNode selfies = projection(console.get("/console/api/overview").json(), "selfies");
            return selfies.path("count").asLong() == 3 && selfies.get("lag").asLong() == 0
                && selfies.get("checkpoint").asLong() == ledger.head();
        }, Duration.ofSeconds(10), () -> console.get("/console/api/overview").body());
        JsonNode community = projection(console.get("/console/api/overview").json(), "community");
        assertFalse(community.has("count"), "a projection that keeps no count shows none");
        assertTrue(community.has("live_version") && community.has("events_applied") && community.has("state"));
    }

    @Test
    void shouldChartAppendsByResultAsTheServerAnsweredThem() throws Exception {
        start();
        String bot = tokens.create("bot", List.of("selfies-*"), EnumSet.of(Verb.APPEND)).secret();
        Http api = new Http(server.port());
        String retried = Http.selfie(1, "f1").replace("{\"type\"", "{\"event_id\":\"0f0e0d0c-0b0a-4908-8706-050403020100\",\"type\"");
        assertEquals(200, api.post("/streams/selfies-user-1", bot, retried).status());
        assertEquals(200, api.post("/streams/selfies-user-1", bot, retried).status(), "a retry: answered as a duplicate");
        assertEquals(200, api.post("/streams/selfies-user-2", bot, Http.selfie(2, "f2")).status());
        for (int i = 0; i < 3; i++) {
            assertEquals(409, api.post("/streams/selfies-user-2?expected_version=new", bot, Http.selfie(2, "f3")).status());
        }
        console.signIn(admin);
        Await.await(() -> {
            JsonNode appends = console.get("/console/api/overview").json().get("appends_per_second");
            return sum(appends.get("ok")) == 2 && sum(appends.get("duplicate")) == 1 && sum(appends.get("refused")) == 3;
        }, Duration.ofSeconds(10), () -> console.get("/console/api/overview").body());
    }

    @Test
    void shouldWarnWhenACountFellSinceTheLastStatusAndKeepSayingSoForAnHour() throws Exception {
        Files.createDirectories(dir.resolve("projections"));
        Files.writeString(dir.resolve("projections").resolve("status-counts.properties"), "selfies=5\n");
        start();
        String bot = tokens.create("bot", List.of("selfies-*"), EnumSet.of(Verb.APPEND)).secret();
        assertEquals(200, new Http(server.port()).post("/streams/selfies-user-1", bot, Http.selfie(1, "f1")).status());
        assertTrue(engine.awaitCaughtUp(Duration.ofSeconds(10)));
        console.signIn(admin);
        String fell = "projection selfies: count fell from 5 to 1 since the last `indelible status`";
        assertTrue(console.get("/console/api/overview").body().contains(fell), console.get("/console/api/overview").body());
        clock.move(Duration.ofMinutes(29));
        assertTrue(console.get("/console/api/overview").body().contains(fell), "still shown at the next look");
        clock.move(Duration.ofMinutes(29)); // looks within the session's idle time
        assertTrue(console.get("/console/api/overview").body().contains(fell), "58 minutes on");
        clock.move(Duration.ofMinutes(3));
        assertFalse(console.get("/console/api/overview").body().contains("count fell"), "an hour later it is gone");
        assertEquals("selfies=5", Files.readAllLines(dir.resolve("projections").resolve("status-counts.properties")).get(0),
            "the console never writes status's file: status still compares with its own previous run");
    }

    private static JsonNode projection(JsonNode overview, String name) {
        for (JsonNode p : overview.get("projections")) {
            if (p.get("name").asText().equals(name)) {
                return p;
            }
        }
        throw new AssertionError("no projection " + name + " in " + overview);
    }

    private static long sum(JsonNode numbers) {
        long sum = 0;
        for (JsonNode n : numbers) {
            sum += n.asLong();
        }
        return sum;
    }

    /** The figures of every audit event of a type, oldest first. */
    private List<Map<String, String>> audit(String type) {
        return ledger.read(0, 10_000).stream().filter(e -> e.type().equals(type)).map(ConsoleTest::figures).toList();
    }

    private static Map<String, String> figures(RecordedEvent e) {
        try {
            return dev.indelible.ledger.proto.OperationRecorded.parseFrom(e.payload()).getFiguresMap();
        } catch (com.google.protobuf.InvalidProtocolBufferException invalid) {
            throw new IllegalStateException(invalid);
        }
    }
}
