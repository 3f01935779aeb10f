package dev.indelible.cli;

import static dev.indelible.ledger.testing.Await.await;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.LedgerException;
import dev.indelible.ledger.PersonalData;
import dev.indelible.ledger.kafka.KafkaJournalConfig;
import dev.indelible.ledger.kafka.WriterElection;
import dev.indelible.ledger.kafka.testing.SharedKafka;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A writer that never answers (stopped, as by SIGSTOP: its socket accepts, nothing replies) is
 * replaced: the appends and the erasure the other nodes forwarded to it fail at once (503, retried by
 * the clients), not after the forwarding timeout. Both ways a node learns it: it is elected itself, or it is told
 * the writer is another node. Before, a forward to the replaced writer waited its 30 s, and the
 * clients' retries with it (issue 26: a ClusterFailoverTest run stalled 120 s after a SIGSTOP).
 */
@Tag("system")
class ClusterWriterChangeTest {
    private static final WriterElection.Settings SETTINGS = new WriterElection.Settings(Duration.ofSeconds(6),
        Duration.ofMillis(500), Duration.ofMillis(200));
    /** Well below the forwarding timeout ({@value WriterForwarding#TIMEOUT_SECONDS} s): a lookup and a rebalance. */
    private static final long FAILED_WITHIN_SECONDS = 10;

    @TempDir
    Path tmp;

    @Test
    void shouldFailTheAppendsForwardedToAReplacedWriterAtOnce() throws Exception {
        KafkaJournalConfig journal = KafkaJournalConfig.of(SharedKafka.cluster().bootstrapServers(),
            "writer-change-" + System.nanoTime());
        LedgerConfig config = LedgerConfig.defaults();
        try (SilentWriter silent = new SilentWriter()) {
            ClusterNode stopped = ClusterNode.start(journal, tmp.resolve("a"), config, SETTINGS, silent.address(), "t", null);
            CompletableFuture<AppendResult> viaB;
            CompletableFuture<AppendResult> viaC;
            ClusterNode b = null;
            ClusterNode c = null;
            boolean left = false;
            try {
                // elected alone first: the sticky assignor keeps it when B and C join
                await(() -> stopped.partition(0).writerOrNull() != null, Duration.ofSeconds(60));
                b = ClusterNode.start(journal, tmp.resolve("b"), config, SETTINGS, "127.0.0.1:1", "t", null);
                c = ClusterNode.start(journal, tmp.resolve("c"), config, SETTINGS, "127.0.0.1:2", "t", null);
                viaB = forwarded(b);
                viaC = forwarded(c);
                PersonalData personalB = b.partition(0).ledger().personalData();
                CompletableFuture<Boolean> erasureViaB = CompletableFuture.supplyAsync(
                    () -> personalB.erase("account-acc-1", "erase of account-acc-1", Map.of()));
                WriterForwarding forwardingB = (WriterForwarding) b.partition(0).target();
                await(() -> silent.connections() >= 2 && forwardingB.unanswered() == 2, Duration.ofSeconds(30));
                assertFalse(viaB.isDone() || viaC.isDone() || erasureViaB.isDone(), "the silent writer answered");
                stopped.close(); // leaves the group: B or C is elected at once, the other is told
                left = true;
                long replaced = System.nanoTime();
                for (CompletableFuture<?> pending : List.of(viaB, viaC, erasureViaB)) {
                    ExecutionException failed = assertThrows(ExecutionException.class,
                        () -> pending.get(FAILED_WITHIN_SECONDS, TimeUnit.SECONDS), "answered before the forwarding timeout");
                    LedgerException cause = assertInstanceOf(LedgerException.class, failed.getCause());
                    assertTrue(cause.getMessage().contains("was replaced before it answered"), cause.getMessage());
                }
                System.out.printf("forwarded appends and an erasure failed %.1f s after the writer left%n", (System.nanoTime() - replaced) / 1e9);
                ClusterNode first = b;
                ClusterNode second = c;
                await(() -> first.partition(0).writerOrNull() != null || second.partition(0).writerOrNull() != null,
                    Duration.ofSeconds(60));
                ClusterNode writer = b.partition(0).writerOrNull() != null ? b : c;
                assertInstanceOf(AppendResult.Appended.class, writer.partition(0).ledger().append("s-1", ExpectedVersion.ANY,
                    List.of(EventData.json("custom.thing", "{}".getBytes(StandardCharsets.UTF_8)))), "the new writer appends");
            } finally {
                if (!left) {
                    stopped.close();
                }
                for (ClusterNode n : new ClusterNode[] {b, c}) {
                    if (n != null) {
                        n.close();
                    }
                }
            }
        }
    }

    /** An append forwarded to the writer, unanswered so far. */
    private static CompletableFuture<AppendResult> forwarded(ClusterNode node) throws Exception {
        await(() -> {
            try {
                return node.partition(0).target() instanceof WriterForwarding;
            } catch (LedgerException noWriterYet) {
                return false;
            }
        }, Duration.ofSeconds(30));
        return node.partition(0).ledger().appendAsync("s-1", ExpectedVersion.ANY,
            List.of(EventData.json("custom.thing", "{}".getBytes(StandardCharsets.UTF_8))));
    }

    /** Accepts connections and never answers: a writer node that is stopped. */
    private static final class SilentWriter implements AutoCloseable {
        private final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final List<Socket> accepted = new CopyOnWriteArrayList<>();
        private final Thread acceptor = new Thread(this::accept, "silent-writer");

        SilentWriter() throws IOException {
            acceptor.setDaemon(true);
            acceptor.start();
        }

        String address() {
            return "127.0.0.1:" + socket.getLocalPort();
        }

        int connections() {
            return accepted.size();
        }

        private void accept() {
            try {
                while (true) {
                    accepted.add(socket.accept());
                }
            } catch (IOException closed) {
                // the test is over
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
            for (Socket s : accepted) {
                s.close();
            }
        }
    }
}
