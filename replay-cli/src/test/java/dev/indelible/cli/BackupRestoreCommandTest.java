package dev.indelible.cli;

import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerCopy;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.testing.AppendWorker;
import dev.indelible.ledger.testing.ChildJvm;
import dev.indelible.server.IndelibleServer;
import dev.indelible.server.ServerConfig;
import dev.indelible.server.Tokens;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("system")
class BackupRestoreCommandTest {
    @TempDir
    Path tmp;

    @Test
    void shouldBackUpWhileAProducerAppendsAndRestoreEveryEvent() throws Exception {
        Path data = tmp.resolve("data");
        Cli cli = new Cli(data);
        cli.run("append", "--stream", "s", "--type", "custom", "--json", "{}").expect(0);
        try (ChildJvm producer = ChildJvm.start(AppendWorker.class, tmp.resolve("producer.err"),
                data.toString(), "producer", "2", "-1")) {
            producer.awaitLines(2_000, 60);
            String json = cli.run("backup", tmp.resolve("backup").toString(), "--json").expect(0).out();
            long events = Long.parseLong(json.replaceAll(".*\"events\":(\\d+).*\\s*", "$1"));
            assertTrue(events > 2_000, json);
            producer.awaitLines(producer.linesSoFar() + 1_000, 60);
            producer.kill9();

            Path restored = tmp.resolve("restored");
            Cli.Result r = new Cli(restored).run("restore", tmp.resolve("backup").toString()).expect(0);
            assertTrue(r.out().contains("restored " + String.format("%,d", events) + " events"), r.out());
            try (Ledger original = Ledger.open(data, LedgerConfig.defaults());
                 Ledger copy = Ledger.open(restored, LedgerConfig.defaults())) {
                assertTrue(original.head() > events, "the producer kept appending during the backup");
                assertEquals(LedgerCopy.digest(original, events), LedgerCopy.digest(copy, events));
                assertEquals(events + 1, copy.head(), "the restored events and the ops.restore event");
                assertTrue(copy.verify().ok());
            }
        }
    }

    @Test
    void shouldKeepTheTokensSoAClientsOldTokenWorksAgainstTheRestoredServer() throws Exception {
        Path data = tmp.resolve("data");
        Cli source = new Cli(data);
        String bot = source.run("token", "create", "--data", data.toString(), "--name", "bot", "--streams", "selfies-*", "--verbs", "append").expect(0).out().strip();
        String gone = source.run("token", "create", "--data", data.toString(), "--name", "gone", "--streams", "*", "--verbs", "read").expect(0).out().strip();
        source.run("token", "revoke", "--data", data.toString(), "gone").expect(0);
        assertTrue(source.run("backup", tmp.resolve("backup").toString()).expect(0).out().contains("and the tokens"));

        Path restored = tmp.resolve("restored");
        Cli.Result r = new Cli(restored).run("restore", tmp.resolve("backup").toString()).expect(0);
        assertTrue(r.out().contains("tokens restored"), r.out());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(
            restored.resolve("server").resolve("tokens.json"))));
        try (Ledger ledger = Ledger.open(restored, LedgerConfig.defaults());
             IndelibleServer server = IndelibleServer.start(ledger, null, Tokens.open(restored),
                 ServerConfig.defaults().withBind("127.0.0.1", 0))) {
            HttpClient http = HttpClient.newHttpClient();
            assertEquals(200, post(http, server, bot).statusCode(), "the old token appends at once");
            assertEquals(401, post(http, server, gone).statusCode(), "a revoked token stays revoked");
        }
    }

    @Test
    void shouldRefuseABackupWhoseTokenFileWasAlteredAndWriteNothing() throws Exception {
        Path data = tmp.resolve("data");
        Cli source = new Cli(data);
        source.run("token", "create", "--data", data.toString(), "--name", "bot", "--streams", "*", "--verbs", "read").expect(0);
        source.run("backup", tmp.resolve("backup").toString()).expect(0);
        Path tokens = tmp.resolve("backup").resolve("server").resolve("tokens.json");
        Files.writeString(tokens, Files.readString(tokens).replace("\"read\"", "\"append\""));
        Path target = tmp.resolve("restored");
        Cli.Result refused = new Cli(target).run("restore", tmp.resolve("backup").toString()).expect(1);
        assertTrue(refused.err().contains("token file") && refused.err().contains("does not match"), refused.err());
        assertTrue(Files.notExists(target), "nothing written");
    }

    private static HttpResponse<String> post(HttpClient http, IndelibleServer server, String token) throws Exception {
        String selfie = "{\"type\":\"selfie.submitted\",\"data\":{\"user_id\":1,\"media_type\":\"photo\","
            + "\"file_id\":\"f\",\"submitted_at\":\"2025-11-04T12:07:00Z\"}}";
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/streams/selfies-user-1"))
            .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.ofString(selfie)).build(),
            HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldRefuseANonEmptyTargetAndMoveItAsideOnlyWhenAsked() throws Exception {
        Cli source = new Cli(tmp.resolve("data"));
        source.run("append", "--stream", "s", "--type", "custom", "--json", "{}").expect(0);
        source.run("backup", tmp.resolve("backup").toString()).expect(0);
        source.run("backup", tmp.resolve("backup").toString()).expect(Main.USAGE);
        Path occupied = tmp.resolve("occupied");
        Files.createDirectories(occupied);
        Files.writeString(occupied.resolve("precious.txt"), "keep me");
        Cli target = new Cli(occupied);
        Cli.Result refused = target.run("restore", tmp.resolve("backup").toString()).expect(Main.USAGE);
        assertTrue(refused.err().contains("restore never deletes"), refused.err());
        assertEquals("keep me", Files.readString(occupied.resolve("precious.txt")));
        Cli.Result moved = target.run("restore", tmp.resolve("backup").toString(), "--move-aside").expect(0);
        assertTrue(moved.out().contains("aside to"), moved.out());
        try (Stream<Path> siblings = Files.list(tmp)) {
            Path aside = siblings.filter(p -> p.getFileName().toString().startsWith("occupied.moved-aside-")).findFirst().orElseThrow();
            assertEquals("keep me", Files.readString(aside.resolve("precious.txt")));
        }
        target.assertJournal(2);
    }

    @Test
    void shouldRefuseACorruptBackupAndWriteNothing() throws Exception {
        Cli source = new Cli(tmp.resolve("data"));
        source.run("append", "--stream", "s", "--type", "custom", "--json", "{\"text\": \"the original words\"}").expect(0);
        source.run("backup", tmp.resolve("backup").toString()).expect(0);
        Path cycle;
        try (Stream<Path> files = Files.list(tmp.resolve("backup").resolve("journal"))) {
            cycle = files.filter(p -> p.toString().endsWith(".cq4")).findFirst().orElseThrow();
        }
        int at = new String(Files.readAllBytes(cycle), StandardCharsets.ISO_8859_1).indexOf("original");
        try (RandomAccessFile file = new RandomAccessFile(cycle.toFile(), "rw")) {
            file.seek(at);
            file.write('O');
        }
        Cli.Result r = new Cli(tmp.resolve("restored")).run("restore", tmp.resolve("backup").toString()).expect(Main.VERIFY_FAILED);
        assertTrue(r.err().contains("is damaged"), r.err());
        assertTrue(Files.notExists(tmp.resolve("restored")), "nothing was written");
        new Cli(tmp.resolve("restored")).run("restore", tmp.resolve("nowhere").toString()).expect(Main.USAGE);
    }

    @Test
    void shouldRecordThatProjectionsAreRebuiltAndAnswerFromTheRestoredJournal() throws Exception {
        Cli source = new Cli(tmp.resolve("data"));
        source.run("append", "--stream", "selfies-user-7", "--type", "selfie.submitted", "--json", AppendCommandTest.SELFIE)
            .expect(0);
        source.run("replay", "selfies").expect(0);
        source.run("backup", tmp.resolve("backup").toString()).expect(0);
        assertEquals("not kept: rebuilt from the journal on first use", new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(tmp.resolve("backup").resolve(BackupManifest.FILE).toFile()).path("projections").asText(),
            "the manifest records why no projection is copied");

        Cli restored = new Cli(tmp.resolve("restored"));
        restored.run("restore", tmp.resolve("backup").toString()).expect(0);

        assertTrue(restored.run("query", "selfies", "--user", "7").expect(0).out().contains("file_id=f1"));
        assertTrue(restored.run("verify", "--projections").expect(0).out().strip().endsWith("verify: ok"));
    }
}
