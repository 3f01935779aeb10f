package dev.indelible.server;

import static dev.indelible.server.GrpcApiTest.selfie;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.EventId;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.RecordedEvent;
import dev.indelible.ledger.Transaction;
import dev.indelible.ledger.testing.ChildJvm;
import dev.indelible.projections.reference.DomainEvents;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** The Java client's blocking calls against a server that stops answering (SIGSTOP), in its own process. */
@Tag("system")
class ClientCallTimeoutTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(1);

    @TempDir
    Path dir;

    @Test
    void shouldFailEachBlockingCallAtItsTimeoutWhileTheServerIsStoppedAndStoreARetriedEventOnce() throws Exception {
        String token;
        try (Ledger ledger = Ledger.open(dir, DomainEvents.register(LedgerConfig.builder()).build())) {
            token = Tokens.open(dir).create("ops", List.of("*"), EnumSet.of(Verb.APPEND, Verb.READ, Verb.ADMIN)).secret();
        }
        int grpcPort;
        try (ServerSocket free = new ServerSocket(0)) {
            grpcPort = free.getLocalPort();
        }
        try (ChildJvm server = ChildJvm.start(ServerMain.class, dir.resolve("server-stderr.txt"), dir.toString(), "0",
                Integer.toString(grpcPort));
             IndelibleClient client = IndelibleClient.connect("127.0.0.1", grpcPort, token).callTimeout(TIMEOUT)) {
            server.awaitLines(1, 60);
            assertInstanceOf(AppendResult.Appended.class, client.append("selfies-user-5", ExpectedVersion.ANY,
                List.of(selfie(5, "before"))));

            server.pause();
            EventData retried = selfie(5, "during").withEventId(EventId.random());
            Transaction transaction = Transaction.builder().append("selfies-user-6", ExpectedVersion.ANY, selfie(6, "t")).build();
            timesOut(() -> client.append("selfies-user-5", ExpectedVersion.ANY, List.of(retried)));
            timesOut(() -> client.append(transaction));
            timesOut(() -> client.read(0, 10));
            timesOut(() -> client.readStream("selfies-user-5", 0, 10));
            timesOut(() -> client.erase("acct-1"));
            server.resume();

            // The append that timed out may have been taken once the server ran again: the retry is
            // then a duplicate. Either way the event is stored once.
            AppendResult again = client.append("selfies-user-5", ExpectedVersion.ANY, List.of(retried));
            assertInstanceOf(AppendResult.Appended.class, again);
            List<RecordedEvent> stream = client.readStream("selfies-user-5", 0, 10);
            assertEquals(2, stream.size(), "the event before the pause and the retried one, once: " + stream);
            assertEquals(retried.eventId(), stream.get(1).eventId());
        }
    }

    @Test
    void shouldRefuseATimeoutThatIsNotPositiveNamingIt() {
        try (IndelibleClient client = IndelibleClient.connect("127.0.0.1", 1, "unused")) {
            for (Duration wrong : List.of(Duration.ZERO, Duration.ofSeconds(-1))) {
                IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> client.callTimeout(wrong));
                assertEquals("timeout: must be positive, was " + wrong, refused.getMessage());
            }
        }
    }

    /** The call fails with DEADLINE_EXCEEDED, well within the time the server stays stopped. */
    private static void timesOut(Executable call) {
        long started = System.nanoTime();
        IndelibleClient.RequestFailedException failed = assertTimeoutPreemptively(Duration.ofSeconds(20),
            () -> assertThrows(IndelibleClient.RequestFailedException.class, call));
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertEquals("DEADLINE_EXCEEDED", failed.code(), failed.getMessage());
        assertTrue(tookMillis >= TIMEOUT.toMillis() - 50, "answered after " + tookMillis + " ms, before the timeout");
    }
}
