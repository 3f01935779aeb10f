package dev.indelible.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StatusAndQueryCommandTest {
    @TempDir
    Path data;
    private Cli cli;

    @BeforeEach
    void appendSome() {
        cli = new Cli(data);
        cli.run("append", "--stream", "selfies-user-7", "--type", "selfie.submitted", "--json", AppendCommandTest.SELFIE).expect(0);
        cli.run("append", "--stream", "email-a@b.c", "--type", "account.registered", "--expect", "new",
            "--json", "{\"account_id\": \"acc-1\", \"email\": \"a@b.c\", \"display_name\": \"A\"}").expect(0);
        cli.run("append", "--stream", "member-max", "--type", "member.joined", "--json", "{\"username\": \"max\"}").expect(0);
        cli.run("append", "--stream", "video-v1", "--type", "video.processed",
            "--json", "{\"video_id\": \"v1\", \"url\": \"u\", \"title\": \"T\", \"results\": {\"n\": 3}}").expect(0);
    }

    @Test
    void shouldAnswerEachReferenceQuery() {
        assertTrue(cli.run("query", "selfies", "--user", "7").expect(0).out().contains("file_id=f1"));
        assertEquals("{\"account_id\":\"acc-1\",\"email\":\"a@b.c\",\"display_name\":\"A\",\"closed\":false,\"registered_seq\":1}",
            cli.run("query", "accounts", "--email", " A@B.C", "--json").expect(0).out().strip());
        assertTrue(cli.run("query", "community", "--member", "Max").expect(0).out().contains("username=max"));
        assertTrue(cli.run("query", "videos", "--id", "v1", "--json").expect(0).out().contains("\"results\":{\"n\":3}"));
        assertTrue(cli.run("query", "messages", "--user", "nobody").expect(0).out().contains("(nothing found)"));
    }

    @Test
    void shouldRefuseUnknownProjectionsAndMissingOptions() {
        cli.run("query", "gossip").expect(Main.USAGE);
        cli.run("query", "selfies").expect(Main.USAGE);
        cli.run("query", "selfies", "--user", "seven").expect(Main.USAGE);
        cli.run("query", "messages").expect(Main.USAGE);
        cli.assertJournal(4);
    }

    @Test
    void shouldReportEventsProducersAndProjections() {
        cli.run("replay", "--all").expect(0);
        String json = cli.run("status", "--json").expect(0).out();
        assertTrue(json.contains("\"events\":9"), json);
        assertTrue(json.contains("\"name\":\"accounts\",\"version\":\"v2-000001\""), json);
        assertTrue(json.contains("\"count\":1"), json);
        String text = cli.run("status").expect(0).out();
        assertTrue(text.contains("projection selfies    v1-000001"), text);
        assertTrue(text.contains("producer "), text);
    }

    @Test
    void shouldWarnThatADataDirectoryOnTmpfsVanishesWithTheMachine() throws Exception {
        Path shm = Path.of("/dev/shm");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isWritable(shm) && Files.getFileStore(shm).type().equals("tmpfs"));
        Path dir = Files.createTempDirectory(shm, "indelible-status-");
        try {
            Cli onTmpfs = new Cli(dir);
            onTmpfs.run("append", "--stream", "s", "--type", "custom", "--json", "{}").expect(0);
            String text = onTmpfs.run("status").expect(0).out();
            assertTrue(text.contains("is on tmpfs: it vanishes with the machine or container"), text);
        } finally {
            try (var walk = Files.walk(dir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void shouldWarnWhenAProjectionCountFell() throws Exception {
        cli.run("replay", "--all").expect(0);
        cli.run("status").expect(0);
        Path counts = data.resolve("projections/status-counts.properties");
        Files.writeString(counts, Files.readString(counts).replace("selfies=1", "selfies=5"));
        String text = cli.run("status").expect(0).out();
        assertTrue(text.contains("WARNING    projection selfies: count fell from 5 to 1"), text);
    }
}
