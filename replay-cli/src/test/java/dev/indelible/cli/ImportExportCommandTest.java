package dev.indelible.cli;

import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImportExportCommandTest {
    private static final String SELFIES = """
        [{"user_id": 1201911108, "media_type": "photo", "file_id": "AgAC1", "timestamp": "2025-11-04T12:07:00"},
         {"user_id": "1201911109", "media_type": "video", "file_id": "BAAD2", "timestamp": 1762258020},
         {"user_id": 1201911108, "media_type": "photo", "file_id": "AgAC3", "timestamp": "2025-11-05T08:00:00Z"}]
        """;
    private static final String USERS = """
        {"17": {"email": "Alice@Example.com", "name": "Alice", "created_at": "2024-01-02"},
         "18": {"email": "bob@example.com", "username": "bob"},
         "19": {"email": "alice@example.com ", "name": "Alice again"}}
        """;
    private static final String RESULTS = """
        {"vid-2": {"title": "Second", "url": "https://example.com/2", "score": 0.5, "frames": 120},
         "vid-1": {"title": "First", "url": "https://example.com/1", "tags": ["a", "b"]}}
        """;

    @TempDir
    Path tmp;

    private Cli cli() {
        return new Cli(tmp.resolve("data"));
    }

    private Path file(String name, String content) throws Exception {
        Path file = tmp.resolve(name);
        Files.writeString(file, content);
        return file;
    }

    @Test
    void shouldImportSelfiesOnceAndNothingTheSecondTime() throws Exception {
        Path file = file("selfie_checks.json", SELFIES);
        Cli.Result first = cli().run("import", "selfies", file.toString()).expect(0);
        assertTrue(first.out().contains("3 records, 3 appended, 0 already imported"), first.out());
        Cli.Result second = cli().run("import", "selfies", file.toString()).expect(0);
        assertTrue(second.out().contains("3 records, 0 appended, 3 already imported"), second.out());
        assertTrue(cli().run("query", "selfies", "--user", "1201911109").expect(0).out().contains("2025-11-04T12:07:00Z"));
        assertEquals(2, cli().run("read", "--type", "ops.import").expect(0).lines().size());
    }

    @Test
    void shouldRefuseAWholeFileForOneBadRecordNamingIt() throws Exception {
        Cli.Result badType = cli().run("import", "selfies", file("bad-type.json", SELFIES.replace("\"BAAD2\"", "42")).toString())
            .expect(Main.USAGE);
        assertTrue(badType.err().contains("record 1.file_id: must be a non-empty string, was 42"), badType.err());
        Cli.Result missing = cli().run("import", "selfies", file("missing.json",
            SELFIES.replace("\"media_type\": \"photo\", \"file_id\": \"AgAC3\", ", "\"file_id\": \"AgAC3\", ")).toString())
            .expect(Main.USAGE);
        assertTrue(missing.err().contains("record 2.media_type: is required"), missing.err());
        Cli.Result notJson = cli().run("import", "accounts", file("broken.json", "{\"17\": {\"email\": ").toString())
            .expect(Main.USAGE);
        assertTrue(notJson.err().contains("file: is not valid JSON"), notJson.err());
        cli().run("import", "videos", tmp.resolve("nope.json").toString()).expect(Main.USAGE);
        assertTrue(Files.notExists(tmp.resolve("data").resolve("journal")), "nothing was written, not even a ledger");
    }

    @Test
    void shouldRefuseAnImportWhileAnotherLedgerHasTheDataOpenWritingNothing() throws Exception {
        Path file = file("selfie_checks.json", SELFIES);
        try (Ledger serving = Ledger.open(tmp.resolve("data"), LedgerConfig.defaults())) { // as serve would
            Cli.Result refused = cli().run("import", "selfies", file.toString()).expect(Main.CONFLICT);
            assertTrue(refused.err().contains("has " + tmp.resolve("data").toAbsolutePath() + " open; an import stages a"
                + " copy of the journal and swaps it in whole"), refused.err());
            assertEquals(0, serving.head());
        }
        cli().assertJournal(0);
        assertTrue(cli().run("import", "selfies", file.toString()).expect(0).out().contains("3 appended"));
    }

    @Test
    void shouldImportAccountsKeepingTheFirstOfEachEmail() throws Exception {
        Cli.Result r = cli().run("import", "accounts", file("users.json", USERS).toString()).expect(0);
        assertTrue(r.out().contains("3 records, 2 appended, 0 already imported, 1 skipped"), r.out());
        assertTrue(r.out().contains("record 19: alice@example.com was registered before"), r.out());
        String alice = cli().run("query", "accounts", "--email", "alice@example.com", "--json").expect(0).out();
        assertTrue(alice.contains("\"account_id\":\"17\"") && alice.contains("\"display_name\":\"Alice\""), alice);
        cli().run("import", "accounts", tmp.resolve("users.json").toString()).expect(0);
        assertEquals(2, cli().run("read", "--type", "account.registered").lines().size());
    }

    @Test
    void shouldRoundTripVideoResultsThroughBase64AndExportByteIdentically() throws Exception {
        Path b64 = file("results.json.b64", Base64.getEncoder().encodeToString(RESULTS.getBytes(StandardCharsets.UTF_8)));
        cli().run("import", "videos", b64.toString()).expect(0);
        Path out = tmp.resolve("export.json");
        Path outB64 = tmp.resolve("export.json.b64");
        cli().run("export", "videos", "--out", out.toString(), "--b64", outB64.toString()).expect(0);
        String json = Files.readString(out);
        assertTrue(json.startsWith("{\n  \"vid-1\": {\n    \"tags\": ["), json);
        assertTrue(json.contains("\"frames\": 120,"), json);
        assertArrayEquals(Files.readAllBytes(out), Base64.getDecoder().decode(Files.readAllBytes(outB64)));
        cli().run("export", "videos", "--out", out.toString()).expect(Main.USAGE);
        cli().run("replay", "videos").expect(0);
        Path again = tmp.resolve("again.json");
        cli().run("export", "videos", "--out", again.toString()).expect(0);
        assertArrayEquals(Files.readAllBytes(out), Files.readAllBytes(again), "a rebuild exports the same bytes");
    }

    @Test
    void shouldExportSelfiesAndAccountsAsLegacyFiles() throws Exception {
        cli().run("import", "selfies", file("selfie_checks.json", SELFIES).toString()).expect(0);
        Path out = tmp.resolve("selfies-out.json");
        cli().run("export", "selfies", "--out", out.toString()).expect(0);
        String json = Files.readString(out);
        assertTrue(json.contains("\"file_id\" : \"AgAC3\""), json);
        cli().run("export", "gossip", "--out", tmp.resolve("x.json").toString()).expect(Main.USAGE);
    }
}
