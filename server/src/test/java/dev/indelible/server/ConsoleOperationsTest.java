package dev.indelible.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.RecordedEvent;
import dev.indelible.ledger.proto.OperationRecorded;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the console does to the data (verify, rebuild, roll back), over real HTTP on 127.0.0.1: streamed, refused, audited. */
class ConsoleOperationsTest {
    @TempDir
    Path dir;
    private ServerFixture f;
    private ConsoleClient console;
    private String bot;

    @BeforeEach
    void start() {
        f = new ServerFixture(dir);
        console = new ConsoleClient(f.server.port());
        console.signIn(f.token("ops", "*", Verb.ADMIN));
        bot = f.token("bot", "selfies-*", Verb.APPEND, Verb.QUERY);
        for (int user = 1; user <= 20; user++) {
            assertEquals(200, f.http.post("/streams/selfies-user-" + user, bot, Http.selfie(user, "f" + user)).status());
        }
    }

    @AfterEach
    void stop() {
        f.close();
    }

    @Test
    void shouldVerifyTheJournalWithProgressAndAuditItNamingTheToken() {
        long head = f.ledger.head();
        ConsoleClient.Reply verify = console.change("POST", "/console/api/verify", null);
        assertEquals(200, verify.status(), verify.body());
        assertTrue(verify.header("Content-Type").startsWith("text/event-stream"));
        assertEquals("progress", verify.events().get(0).getKey(), verify.body());
        JsonNode result = verify.result();
        assertTrue(result.get("ok").asBoolean(), verify.body());
        assertEquals(0, result.get("problems").size());
        assertEquals(head, result.get("events").asLong());
        Map<String, String> audit = audit("ops.verify").get(0);
        assertEquals("ops", audit.get("by_token"));
        assertEquals("console", audit.get("via"));
        assertEquals("0", audit.get("problems"));
    }

    @Test
    void shouldReportTheDamageFirstWhenAJournalRecordWasChangedOnDisk() throws Exception {
        long damaged = f.ledger.head();
        f.ledger.append("notes-1", ExpectedVersion.ANY, EventData.json("note.added",
            "{\"text\":\"a bit to flip in here\"}".getBytes(StandardCharsets.UTF_8)));
        f.ledger.append("notes-1", ExpectedVersion.ANY, EventData.json("note.added", "{}".getBytes(StandardCharsets.UTF_8)));
        flipABitOf("a bit to flip"); // a record before the last: a checksum mismatch, not a torn tail

        JsonNode result = console.change("POST", "/console/api/verify", null).result();
        assertEquals(false, result.get("ok").asBoolean(), result.toString());
        JsonNode first = result.get("problems").get(0);
        assertEquals("CRC_MISMATCH", first.get("kind").asText(), result.toString());
        assertEquals(damaged, first.get("global_seq").asLong());
        assertTrue(first.get("location").asText().contains(".cq4"), first.toString());
        assertEquals(List.of("problems", "events"), fieldsAfterOk(result), "damage first");
        Map<String, String> audited = figures(f.ledger.readStream("ops-journal", 0, 1).get(0)); // its stream: the journal is damaged
        assertEquals(Integer.toString(result.get("problems").size()), audited.get("problems"));
        assertEquals("ops", audited.get("by_token"));
    }

    private static List<String> fieldsAfterOk(JsonNode result) {
        List<String> names = new java.util.ArrayList<>();
        result.fieldNames().forEachRemaining(names::add);
        return names.subList(1, 3);
    }

    /** Changes one byte of the journal file under the running server, as a failing disk would. */
    private void flipABitOf(String marker) throws Exception {
        Path cycle;
        try (Stream<Path> files = Files.list(dir.resolve("journal"))) {
            cycle = files.filter(p -> p.toString().endsWith(".cq4")).findFirst().orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(cycle);
        int at = new String(bytes, StandardCharsets.ISO_8859_1).indexOf(marker);
        assertTrue(at > 0, "the marker is in the journal file");
        try (RandomAccessFile file = new RandomAccessFile(cycle.toFile(), "rw")) {
            file.seek(at);
            file.write(bytes[at] ^ 0x20);
        }
    }

    @Test
    void shouldRefuseAnOperationWithoutTheCsrfTokenOrFromAnotherOriginAndDoNothing() {
        Map<String, String> noCsrf = Map.of("Content-Type", "application/json");
        assertEquals(403, console.send("POST", "/console/api/verify", null, noCsrf).status());
        assertEquals(403, console.send("POST", "/console/api/projections/selfies/rebuild", null, noCsrf).status());
        assertEquals(403, console.send("POST", "/console/api/projections/selfies/rollback", null, Map.of("X-CSRF-Token",
            console.csrf, "Sec-Fetch-Site", "cross-site")).status());
        assertEquals(404, console.change("POST", "/console/api/projections/nothing/rebuild", null).status());
        String live = f.engine.status("selfies").liveVersion();
        assertEquals(live, console.get("/console/api/projections/selfies").json().get("live").asText());
        assertTrue(audit("ops.verify").isEmpty() && audit("ops.replay").isEmpty(), "nothing ran");

        console.cookie = null;
        assertEquals(401, console.change("POST", "/console/api/verify", null).status(), "no session");
        console.signIn(f.token("other-admin", "*", Verb.ADMIN));
        f.tokens.revoke("other-admin");
        assertEquals(401, console.change("POST", "/console/api/verify", null).status(), "its token was revoked");
    }

    @Test
    void shouldRebuildBesideTheLiveVersionWhileProducersAppendAndQueriesGoOnThenRollBack() throws Exception {
        String before = f.engine.status("selfies").liveVersion();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger appended = new AtomicInteger();
        AtomicInteger queriesRefused = new AtomicInteger();
        Thread producer = new Thread(() -> {
            for (int user = 100; running.get(); user++) {
                if (f.http.post("/streams/selfies-user-" + user, bot, Http.selfie(user, "p")).status() == 200) {
                    appended.incrementAndGet();
                }
                if (f.http.get("/projections/selfies?user=1", bot).status() != 200) {
                    queriesRefused.incrementAndGet();
                }
            }
        });
        producer.start();
        ConsoleClient.Reply rebuild;
        try {
            rebuild = console.change("POST", "/console/api/projections/selfies/rebuild", null);
        } finally {
            running.set(false);
            producer.join();
        }
        assertEquals(200, rebuild.status(), rebuild.body());
        JsonNode result = rebuild.result();
        assertEquals(before, result.get("previous_version").asText());
        assertNotEquals(before, result.get("new_version").asText());
        assertEquals(64, result.get("new_digest").asText().length(), result.toString());
        assertEquals(64, result.get("previous_digest").asText().length(), result.toString());
        assertEquals(0, queriesRefused.get(), "queries went on during the rebuild");
        assertTrue(appended.get() > 0, "producers appended during the rebuild");
        assertEquals("ops", audit("ops.replay").get(0).get("by_token"));

        JsonNode versions = console.get("/console/api/projections/selfies").json();
        assertEquals(result.get("new_version").asText(), versions.get("live").asText());
        assertEquals(2, versions.get("versions").size(), versions.toString());
        assertEquals("COMPLETE", versions.get("versions").get(1).get("build").asText());
        assertEquals("ops.replay", versions.get("history").get(0).get("type").asText(), "newest first");

        ConsoleClient.Reply rollback = console.change("POST", "/console/api/projections/selfies/rollback", null);
        assertEquals(200, rollback.status(), rollback.body());
        assertEquals(before, rollback.json().get("to_version").asText());
        assertEquals(before, f.engine.status("selfies").liveVersion());
        assertEquals("ops", audit("ops.rollback").get(0).get("by_token"));
        assertEquals("ops.rollback", console.get("/console/api/projections/selfies").json().get("history").get(0)
            .get("type").asText());
    }

    /** The figures of every audit event of a type, oldest first. */
    private List<Map<String, String>> audit(String type) {
        return f.ledger.read(0, 10_000).stream().filter(e -> e.type().equals(type)).map(ConsoleOperationsTest::figures).toList();
    }

    private static Map<String, String> figures(RecordedEvent e) {
        try {
            return OperationRecorded.parseFrom(e.payload()).getFiguresMap();
        } catch (com.google.protobuf.InvalidProtocolBufferException invalid) {
            throw new IllegalStateException(invalid);
        }
    }
}
