package dev.indelible.cli;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static dev.indelible.ledger.testing.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReadCommandTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path data;
    private Cli cli;

    @BeforeEach
    void appendSome() {
        cli = new Cli(data);
        cli.run("append", "--stream", "selfies-user-7", "--type", "selfie.submitted", "--json", AppendCommandTest.SELFIE).expect(0);
        for (int i = 0; i < 5; i++) {
            cli.run("append", "--stream", "s", "--type", "custom", "--json", "{\"i\": " + i + "}").expect(0);
        }
    }

    @Test
    void shouldTakeTheDataOptionsBeforeTheSubcommandTooAndLetTheSubcommandsOwnWin() {
        Cli cli = new Cli(data);
        cli.run("append", "--stream", "s", "--type", "t", "--json", "{}").expect(0);
        Cli.Result before = cli.run("--data", data.toString(), "read", "--stream", "s").expect(0);
        assertTrue(before.out().contains("\"stream\":\"s\""), before.out());
        Cli.Result own = cli.run("--data", data.resolve("elsewhere").toString(), "read", "--data", data.toString(),
            "--stream", "s").expect(0);
        assertTrue(own.out().contains("\"stream\":\"s\""), own.out());
        cli.run("token", "--data", data.toString(), "create", "--name", "x", "--streams", "*", "--verbs", "read").expect(0);
        assertTrue(cli.run("token", "list", "--data", data.toString()).expect(0).out().contains("x "));
    }

    @Test
    void shouldPrintEveryEventAsOneJsonLineWithItsDataDecoded() {
        Cli.Result r = cli.run("read").expect(0);
        assertEquals(6, r.lines().size());
        String first = r.lines().get(0);
        assertTrue(first.startsWith("{\"global_seq\":0,\"stream\":\"selfies-user-7\",\"stream_version\":0,\"type\":\"selfie.submitted\""), first);
        assertTrue(first.contains("\"data\":{\"user_id\":7,\"media_type\":\"photo\""), first);
        assertTrue(first.contains("\"recorded_at\":\"20"), first);
    }

    @Test
    void shouldFilterByStreamTypeAndPosition() {
        assertEquals(2, cli.run("read", "--stream", "s", "--from", "3").expect(0).lines().size());
        assertEquals(1, cli.run("read", "--type", "selfie.*").expect(0).lines().size());
        assertEquals(2, cli.run("read", "--from", "1", "--limit", "2").expect(0).lines().size());
        assertTrue(cli.run("read", "--from", "4").expect(0).lines().get(0).startsWith("{\"global_seq\":4,"));
    }

    @Test
    void shouldFollowNewEventsAsTheyAreAppended() throws Exception {
        java.io.StringWriter out = new java.io.StringWriter();
        Thread follower = new Thread(() -> Main.run(new java.io.PrintWriter(out, true), new java.io.PrintWriter(new java.io.StringWriter()),
            "read", "--data", data.toString(), "--from", "6", "--follow"));
        follower.start();
        cli.run("append", "--stream", "s", "--type", "custom", "--json", "{\"late\": true}").expect(0);
        await(() -> out.toString().contains("late"), WAIT, out::toString);
        follower.interrupt();
        follower.join(10_000);
        assertTrue(out.toString().startsWith("{\"global_seq\":6,"), out.toString());
    }

    @Test
    void shouldFollowAStreamThatDoesNotExistYetUntilItsFirstEvent() throws Exception {
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        Thread follower = new Thread(() -> Main.run(new java.io.PrintWriter(out, true), new java.io.PrintWriter(err, true),
            "read", "--data", data.toString(), "--stream", "later", "--follow"));
        follower.start();
        await(() -> err.toString().contains("waiting"), WAIT, err::toString);
        assertTrue(follower.isAlive(), "still waiting, not refused: " + err);
        cli.run("append", "--stream", "later", "--type", "custom", "--json", "{\"first\": true}").expect(0);
        await(() -> out.toString().contains("first"), WAIT, out::toString);
        follower.interrupt();
        follower.join(10_000);
        assertTrue(out.toString().startsWith("{\"global_seq\":"), out.toString());
        assertTrue(out.toString().contains("\"stream\":\"later\""), out.toString());
    }

    @Test
    void shouldRefuseAnUnknownStreamAndAMissingLedger() {
        Cli.Result r = cli.run("read", "--stream", "nope").expect(Main.USAGE);
        assertTrue(r.err().contains("no stream named 'nope'"), r.err());
        Cli.Result none = cli.run("read", "--data", data.resolve("elsewhere").toString()).expect(Main.USAGE);
        assertTrue(none.err().contains("no ledger at"), none.err());
        cli.run("read", "--limit", "-1").expect(Main.USAGE);
    }
}
