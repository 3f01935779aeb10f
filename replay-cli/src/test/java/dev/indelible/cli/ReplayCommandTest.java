package dev.indelible.cli;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplayCommandTest {
    @TempDir
    Path data;
    private Cli cli;

    @BeforeEach
    void appendMessages() {
        cli = new Cli(data);
        for (int i = 0; i < 20; i++) {
            cli.run("append", "--stream", "messages-p", "--type", "message.posted", "--json", "{\"message_id\": \"m" + i
                + "\", \"project\": \"p\", \"channel\": \"c\", \"user\": \"u\", \"posted_at\": \"2026-11-25T01:00:00Z\"}").expect(0);
        }
    }

    @Test
    void shouldRebuildPrintBothDigestsAndJournalTheOperation() {
        Cli.Result first = cli.run("replay", "messages").expect(0);
        assertTrue(first.out().contains("replayed messages: 20 events read, 20 applied"), first.out());
        Cli.Result second = cli.run("replay", "messages", "--json").expect(0);
        assertTrue(second.out().contains("\"previous_version\":\"v1-000001\""), second.out());
        assertTrue(second.out().contains("\"new_version\":\"v1-000002\""), second.out());
        assertEquals(2, cli.run("read", "--type", "ops.replay").expect(0).lines().size());
        assertTrue(cli.run("query", "messages", "--project", "p", "--limit", "3").expect(0).out().contains("m2"));
    }

    @Test
    void shouldRebuildAllAndRollBack() {
        cli.run("replay", "--all").expect(0);
        cli.run("replay", "messages").expect(0);
        Cli.Result rollback = cli.run("replay", "--rollback", "messages").expect(0);
        assertTrue(rollback.out().contains("v1-000001 is live again"), rollback.out());
        assertEquals(1, cli.run("read", "--type", "ops.rollback").expect(0).lines().size());
    }

    @Test
    void shouldRefuseAnUnknownProjectionOrNone() {
        Cli.Result r = cli.run("replay", "gossip").expect(Main.USAGE);
        assertTrue(r.err().contains("no projection named 'gossip'"), r.err());
        cli.run("replay").expect(Main.USAGE);
        cli.assertJournal(20);
    }

    @Test
    void shouldFailASecondReplayAtOnceWithExitThreeNamingTheHolder() throws Exception {
        Path dir = data.resolve("projections").resolve("messages");
        Files.createDirectories(dir);
        try (FileChannel channel = FileChannel.open(dir.resolve("rebuild.lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock held = channel.lock()) {
            channel.write(ByteBuffer.wrap("pid 4242 on testhost since 2026-11-25T01:00:00Z\n".getBytes(StandardCharsets.UTF_8)));
            Cli.Result r = cli.run("replay", "messages").expect(Main.CONFLICT);
            assertTrue(r.err().contains("already running (pid 4242 on testhost"), r.err());
        }
        cli.run("replay", "messages").expect(0);
    }
}
