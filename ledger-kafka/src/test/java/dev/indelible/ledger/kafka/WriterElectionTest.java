package dev.indelible.ledger.kafka;

import static dev.indelible.ledger.testing.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.LedgerException;
import dev.indelible.ledger.kafka.testing.SharedKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes in one partition's writer election: exactly one is elected and opens the writer, both
 * name it as the writer; when it leaves, the other is elected, and its writer fences the first,
 * whose ledger (left open on purpose) can no longer append.
 */
@Tag("system")
class WriterElectionTest {
    private static final WriterElection.Settings FAST = new WriterElection.Settings(Duration.ofSeconds(6),
        Duration.ofMillis(500), Duration.ofMillis(200));

    @TempDir
    Path dir;

    @Test
    void shouldElectOneWriterAndHandOverWithFencingWhenItLeaves() throws Exception {
        KafkaJournalConfig kafka = SharedKafka.journalFor(dir);
        Node a = new Node(kafka, dir.resolve("a"));
        Node b = new Node(kafka, dir.resolve("b"));
        try (WriterElection electionA = WriterElection.join(kafka, FAST, "127.0.0.1:1001", a);
             WriterElection electionB = WriterElection.join(kafka, FAST, "127.0.0.1:1002", b)) {
            await(() -> electionA.isWriter() ^ electionB.isWriter(), Duration.ofSeconds(60));
            Node first = electionA.isWriter() ? a : b;
            Node second = first == a ? b : a;
            WriterElection leaving = first == a ? electionA : electionB;
            WriterElection staying = first == a ? electionB : electionA;
            String firstAddress = first == a ? "127.0.0.1:1001" : "127.0.0.1:1002";
            await(() -> staying.writer().equals(Optional.of(firstAddress)), Duration.ofSeconds(30),
                () -> "the follower names " + staying.writer());
            assertEquals(Optional.of(firstAddress), leaving.writer());
            assertInstanceOf(AppendResult.Appended.class, first.writer.append("s", ExpectedVersion.ANY, event()));

            long left = System.nanoTime();
            leaving.close();
            await(staying::isWriter, Duration.ofSeconds(60));
            System.out.printf("handover after a graceful leave: %.1f s%n", (System.nanoTime() - left) / 1e9);
            assertEquals(1, first.deposed.get(), "the leaving writer was deposed");
            AppendResult second1 = second.writer.append("s", ExpectedVersion.ANY, event());
            assertEquals(1, ((AppendResult.Appended) second1).firstGlobalSeq(), "the new writer continues the sequence");
            assertThrows(LedgerException.class, () -> first.writer.append("s", ExpectedVersion.ANY, event()),
                "the old writer is fenced");
        } finally {
            a.close();
            b.close();
        }
    }

    /**
     * A journal of 3 partitions: one group's assignor spreads the writers over two nodes (2 and 1);
     * when the node writing two leaves, the other writes all three. A one-partition election on the
     * same topic is refused: its control topic would be this one, of 3 partitions.
     */
    @Test
    void shouldSpreadThePartitionsWritersOverTheNodesAndGatherThemWhenOneLeaves() throws Exception {
        PartitionedJournalConfig journal = SharedKafka.partitionedJournalFor(dir, 3, "");
        List<Seat> seatsA = seats(3);
        List<Seat> seatsB = seats(3);
        try (WriterElection a = WriterElection.join(journal, FAST, "127.0.0.1:1001", seatsA);
             WriterElection b = WriterElection.join(journal, FAST, "127.0.0.1:1002", seatsB)) {
            await(() -> IntStream.range(0, 3).allMatch(p -> a.isWriter(p) ^ b.isWriter(p))
                && IntStream.range(0, 3).anyMatch(a::isWriter) && IntStream.range(0, 3).anyMatch(b::isWriter),
                Duration.ofSeconds(60), () -> "A " + writing(a) + ", B " + writing(b));
            WriterElection two = writing(a).size() == 2 ? a : b;
            WriterElection one = two == a ? b : a;
            assertEquals(List.of(2, 1), List.of(writing(two).size(), writing(one).size()), "spread 2 and 1");
            for (int p = 0; p < 3; p++) {
                int partition = p;
                await(() -> one.writer(partition).equals(two.writer(partition)), Duration.ofSeconds(30),
                    () -> "both name partition " + partition + "'s writer");
            }
            List<Seat> leaving = two == a ? seatsA : seatsB;
            int deposedBefore = leaving.stream().mapToInt(s -> s.deposed.get()).sum(); // a handover while spreading
            two.close();
            await(() -> writing(one).size() == 3, Duration.ofSeconds(60), () -> "the node left writes " + writing(one));
            assertEquals(deposedBefore + 2, leaving.stream().mapToInt(s -> s.deposed.get()).sum(),
                "both partitions of the leaving node deposed");
        }
        LedgerException refused = assertThrows(LedgerException.class, () -> WriterElection.join(journal.partition(1), FAST,
            "127.0.0.1:1003", new Seat()).close());
        assertTrue(refused.getMessage().contains("has 3 partition(s), one per partition whose writer it elects, but these"
            + " nodes elect 1"), refused.getMessage());
    }

    private static List<Integer> writing(WriterElection election) {
        return IntStream.range(0, election.partitions()).filter(election::isWriter).boxed().toList();
    }

    private static List<Seat> seats(int count) {
        return IntStream.range(0, count).mapToObj(p -> new Seat()).toList();
    }

    /** A partition's role that opens nothing: what the election decides is all this test looks at. */
    private static final class Seat implements WriterElection.Role {
        final AtomicInteger deposed = new AtomicInteger();

        @Override
        public boolean elected() {
            return true;
        }

        @Override
        public void deposed() {
            deposed.incrementAndGet();
        }
    }

    private static EventData event() {
        return EventData.json("test.event", "{}".getBytes(StandardCharsets.UTF_8));
    }

    /** Opens the writer when elected; leaves it open when deposed, to show it is fenced. */
    private static final class Node implements WriterElection.Role {
        private final KafkaJournalConfig kafka;
        private final Path data;
        final AtomicInteger deposed = new AtomicInteger();
        volatile Ledger writer;

        Node(KafkaJournalConfig kafka, Path data) {
            this.kafka = kafka;
            this.data = data;
        }

        @Override
        public boolean elected() {
            writer = KafkaLedger.open(kafka, data, LedgerConfig.defaults());
            return true;
        }

        @Override
        public void deposed() {
            deposed.incrementAndGet();
        }

        void close() {
            if (writer != null) {
                try {
                    writer.close();
                } catch (RuntimeException fenced) {
                    assertTrue(fenced.getMessage() != null);
                }
            }
        }
    }
}
