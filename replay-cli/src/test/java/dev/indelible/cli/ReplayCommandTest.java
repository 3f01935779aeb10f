package dev.indelible.cli;

import dev.indelible.ledger.testing.ChildJvm;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("system")
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
        assertTrue(second.out().contains("\"previous_version\":\"v2-000001\""), second.out());
        assertTrue(second.out().contains("\"new_version\":\"v2-000002\""), second.out());
        assertEquals(2, cli.run("read", "--type", "ops.replay").expect(0).lines().size());
        assertTrue(cli.run("query", "messages", "--project", "p", "--limit", "3").expect(0).out().contains("m2"));
    }

    @Test
    void shouldRebuildAllAndRollBack() {
        cli.run("replay", "--all").expect(0);
        cli.run("replay", "messages").expect(0);
        Cli.Result rollback = cli.run("replay", "--rollback", "messages").expect(0);
        assertTrue(rollback.out().contains("v2-000001 is live again"), rollback.out());
        assertEquals(1, cli.run("read", "--type", "ops.rollback").expect(0).lines().size());
    }

    @Test
    void shouldRollBackPastAReplayKilledMidwayToTheLastCompletedVersion() throws Exception {
        cli.run("replay", "messages").expect(0);
        killReplayMidway();
        Cli.Result second = cli.run("replay", "messages").expect(0);
        assertTrue(second.out().contains("deleted v2-000002: a build that did not finish"), second.out());
        assertTrue(second.out().contains("new v2-000003"), second.out());

        Cli.Result rollback = cli.run("replay", "--rollback", "messages").expect(0);
        assertTrue(rollback.out().contains("v2-000001 is live again"), rollback.out());
        assertTrue(cli.run("query", "messages", "--project", "p", "--limit", "30").expect(0).out().contains("m19"),
            "answers from the complete version");
    }

    @Test
    void shouldRefuseARollbackWhenTheOnlyOtherVersionIsAKilledReplay() throws Exception {
        cli.run("replay", "messages").expect(0);
        killReplayMidway();
        Cli.Result refused = cli.run("replay", "--rollback", "messages", "--json").expect(Main.VERIFY_FAILED);
        assertTrue(refused.err().contains("cannot roll back projection messages: it has no previous version that completed"
            + " its build to roll back to (v2-000002 was a build that did not finish"), refused.err());
        assertTrue(refused.err().contains("v2-000001 stays live"), refused.err());
        assertTrue(cli.run("query", "messages", "--project", "p", "--limit", "30").expect(0).out().contains("m19"));
        assertTrue(cli.run("replay", "messages", "--json").expect(0).out().contains("\"discarded_unfinished\":[]"),
            "the refused rollback already deleted the unfinished build");
    }

    /** A replay in a child JVM, killed with SIGKILL after its first batch and before it validated. */
    private void killReplayMidway() throws Exception {
        try (ChildJvm child = ChildJvm.start(StalledReplayWorker.class, data.resolve("child.err"), data.toString(), "messages")) {
            child.awaitLines(1, 60);
            child.kill9();
        }
        assertTrue(Files.isDirectory(data.resolve("projections/messages/v2-000002")), "the killed build left its directory");
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
