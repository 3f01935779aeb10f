package dev.indelible.ledger.kafka;

import static dev.indelible.ledger.ExpectedVersion.ANY;
import static dev.indelible.ledger.ExpectedVersion.NO_STREAM;
import static dev.indelible.ledger.ExpectedVersion.STREAM_EXISTS;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.EventRule;
import dev.indelible.ledger.InvalidEventException;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.LedgerException;
import dev.indelible.ledger.PartitionPositions;
import dev.indelible.ledger.PartitionedEvent;
import dev.indelible.ledger.Transaction;
import dev.indelible.ledger.TransactionResult;
import dev.indelible.ledger.VerifyReport;
import dev.indelible.ledger.kafka.internal.KafkaJournal;
import dev.indelible.ledger.kafka.testing.SharedKafka;
import dev.indelible.ledger.testing.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A journal over 3 partitions of one topic: appends where the rule puts them, each partition's
 * own dense global_seq, cross-partition transactions refused with nothing written, reads and
 * subscriptions over every partition resumed per partition. Streams and partitions from
 * {@link PartitionRule#reference(int)} over 3 (pinned by PartitionRuleTest): account-42,
 * email-alice@example.com, video-abc in partition 1; selfies-user-42 in partition 2.
 */
@Tag("system")
class PartitionedLedgerTest {
    private static final String ACCOUNT = "account-42";
    private static final String EMAIL = "email-alice@example.com";
    private static final String SELFIES = "selfies-user-42";

    @TempDir
    Path dir;

    @Test
    void shouldAppendEachStreamToItsPartitionWithThatPartitionsOwnSequence() {
        try (PartitionedLedger ledger = open(LedgerConfig.defaults())) {
            AppendResult.Appended selfie = appended(ledger.append(SELFIES, NO_STREAM, event("selfie.submitted")));
            AppendResult.Appended account = appended(ledger.append(ACCOUNT, NO_STREAM, event("account.registered")));
            AppendResult.Appended second = appended(ledger.append(SELFIES, 0, event("selfie.submitted")));

            assertEquals(2, ledger.partitionOf(SELFIES));
            assertEquals(1, ledger.partitionOf(ACCOUNT));
            assertEquals(List.of(0L, 0L, 1L), List.of(selfie.firstGlobalSeq(), account.firstGlobalSeq(), second.firstGlobalSeq()));
            assertEquals(PartitionPositions.of(0, 1, 2), ledger.head());
            assertEquals(1, ledger.streamVersion(SELFIES));
            assertEquals(2, ledger.readStream(SELFIES, 0, 10).size());
            assertEquals(NO_STREAM, ledger.partition(1).streamVersion(SELFIES), "the stream is in partition 2 only");
        }
    }

    @Test
    void shouldRefuseATransactionOverTwoPartitionsWritingNothingInEither() {
        try (PartitionedLedger ledger = open(LedgerConfig.defaults())) {
            Transaction crossing = Transaction.builder()
                .append(ACCOUNT, NO_STREAM, event("account.registered"))
                .append(SELFIES, NO_STREAM, event("selfie.submitted"))
                .build();
            InvalidEventException refused = assertThrows(InvalidEventException.class, () -> ledger.append(crossing));

            assertEquals("parts[1].stream", refused.field());
            assertEquals("'selfies-user-42' is in partition 2 (key 'selfies-user-42') but parts[0].stream 'account-42' is in"
                + " partition 1 (key 'accounts'): a transaction and its conditions stay within one partition; give streams"
                + " that must be checked together one key (partition.keys)", refused.reason());
            Transaction condition = Transaction.builder()
                .append(ACCOUNT, NO_STREAM, event("account.registered"))
                .require(SELFIES, NO_STREAM)
                .build();
            assertEquals("conditions[0].stream", assertThrows(InvalidEventException.class, () -> ledger.appendAsync(condition)).field());
            assertEquals(PartitionPositions.of(0, 0, 0), ledger.head(), "nothing written in any partition");

            Transaction together = Transaction.builder()
                .append(ACCOUNT, NO_STREAM, event("account.registered"))
                .append(EMAIL, NO_STREAM, event("email.reserved"))
                .build();
            TransactionResult.Committed committed = assertInstanceOf(TransactionResult.Committed.class, ledger.append(together));
            assertEquals(List.of(0L, 1L), committed.parts().stream().map(AppendResult.Appended::firstGlobalSeq).toList());
            assertEquals(PartitionPositions.of(0, 2, 0), ledger.head());
        }
    }

    @Test
    void shouldRefuseAnEventWhoseRuleChecksAStreamInAnotherPartition() {
        LedgerConfig config = LedgerConfig.builder()
            .rule("account.linked", e -> EventRule.Requirement.stream(ACCOUNT, "account_id")
                .require(SELFIES, "user_id", STREAM_EXISTS, "the user has selfies"))
            .build();
        try (PartitionedLedger ledger = open(config)) {
            InvalidEventException refused = assertThrows(InvalidEventException.class,
                () -> ledger.append(ACCOUNT, ANY, event("account.linked")));

            assertEquals("events[0].user_id", refused.field());
            assertTrue(refused.reason().contains("stream 'account-42' is in partition 1"), refused.reason());
            assertEquals(PartitionPositions.of(0, 0, 0), ledger.head());
        }
    }

    @Test
    void shouldReadFollowAndVerifyEveryPartitionResumingEachWhereItStopped() throws Exception {
        try (PartitionedLedger ledger = open(LedgerConfig.defaults())) {
            for (int i = 0; i < 3; i++) {
                ledger.append(SELFIES, ANY, event("selfie.submitted"));
                ledger.append(ACCOUNT, ANY, event("account.registered"));
            }
            ledger.append("video-abc", ANY, event("video.processed"));
            // Readers see committed events a moment after the append returned.
            Await.await(() -> PartitionPositions.start(3).after(readAll(ledger)).equals(PartitionPositions.of(0, 4, 3)),
                Duration.ofSeconds(30), () -> positions(readAll(ledger)).toString());

            List<PartitionedEvent> first = ledger.read(PartitionPositions.start(3), 3);
            PartitionPositions resume = PartitionPositions.start(3).after(first);
            List<PartitionedEvent> rest = ledger.read(resume, 100);

            assertEquals(List.of("1:0", "2:0", "1:1"), positions(first), "partitions in turn, each in its order");
            assertEquals(PartitionPositions.of(0, 2, 1), resume);
            assertEquals(List.of("1:2", "2:1", "1:3", "2:2"), positions(rest));
            ConcurrentLinkedQueue<PartitionedEvent> followed = new ConcurrentLinkedQueue<>();
            try (PartitionedSubscription subscription = ledger.subscribe(resume, followed::add)) {
                ledger.append(SELFIES, ANY, event("selfie.submitted"));
                Await.await(() -> followed.size() >= 5, Duration.ofSeconds(30), () -> followed.size() + " delivered");
                assertEquals(List.of("1:2", "1:3"), positions(followed, 1));
                assertEquals(List.of("2:1", "2:2", "2:3"), positions(followed, 2));
                Await.await(() -> subscription.positions().equals(PartitionPositions.of(0, 4, 4)), Duration.ofSeconds(30),
                    () -> "positions " + subscription.positions());
            }
            try (PartitionedLedger reader = PartitionedLedger.openReadOnly(journal(), dir.resolve("reader"),
                LedgerConfig.defaults())) {
                assertEquals(List.of("1:0", "2:0", "1:1", "2:1", "1:2", "2:2", "1:3", "2:3"), positions(readAll(reader)));
                assertEquals(PartitionPositions.of(0, 4, 4), reader.head());
                VerifyReport verified = reader.verifyAll(checked -> { });
                assertTrue(verified.ok(), verified.toString());
                assertEquals(8, verified.eventsChecked(), "every partition verified");
                assertThrows(LedgerException.class, () -> reader.append(SELFIES, ANY, event("selfie.submitted")));
            }
        }
    }

    @Test
    void shouldSpreadThePartitionsWritersOverTwoNodes() throws Exception {
        PartitionedJournalConfig journal = journal();
        LedgerConfig config = LedgerConfig.defaults();
        KafkaJournal.ensureTopic(journal.journal(), 3);
        Path a = dir.resolve("node-a");
        Path b = dir.resolve("node-b");
        try (PartitionedLedger nodeA = PartitionedLedger.over(journal.rule(), List.of(KafkaLedger.open(journal.partition(0), a, config),
                KafkaLedger.open(journal.partition(1), a, config), KafkaLedger.openReadOnly(journal.partition(2), a, config)), config);
             PartitionedLedger nodeB = PartitionedLedger.over(journal.rule(), List.of(KafkaLedger.openReadOnly(journal.partition(0), b, config),
                KafkaLedger.openReadOnly(journal.partition(1), b, config), KafkaLedger.open(journal.partition(2), b, config)), config)) {
            appended(nodeA.append(ACCOUNT, NO_STREAM, event("account.registered")));
            appended(nodeB.append(SELFIES, NO_STREAM, event("selfie.submitted")));
            appended(nodeA.append(ACCOUNT, 0, event("account.email_changed")));

            assertThrows(LedgerException.class, () -> nodeA.append(SELFIES, ANY, event("selfie.submitted")),
                "partition 2's writer is node B's");
            for (PartitionedLedger node : List.of(nodeA, nodeB)) {
                Await.await(() -> positions(readAll(node)).equals(List.of("1:0", "2:0", "1:1")), Duration.ofSeconds(30),
                    () -> positions(readAll(node)).toString());
            }
        }
    }

    @Test
    void shouldRefuseATopicWithAnotherPartitionCountNamingTheSetting() {
        open(LedgerConfig.defaults()).close();
        PartitionedJournalConfig two = SharedKafka.partitionedJournalFor(dir, 2, PartitionRule.REFERENCE_KEYS);

        LedgerException refused = assertThrows(LedgerException.class, () -> PartitionedLedger.open(two, dir, LedgerConfig.defaults()));

        assertTrue(refused.getMessage().contains("partitions: the journal has 2 partitions, but topic '"), refused.getMessage());
        assertTrue(refused.getMessage().contains("' has 3; a journal is opened with the partition count it was written with"),
            refused.getMessage());
    }

    private PartitionedLedger open(LedgerConfig config) {
        return PartitionedLedger.open(journal(), dir, config);
    }

    private PartitionedJournalConfig journal() {
        return SharedKafka.partitionedJournalFor(dir, 3, PartitionRule.REFERENCE_KEYS);
    }

    private static EventData event(String type) {
        return EventData.json(type, "{}".getBytes(UTF_8));
    }

    private static AppendResult.Appended appended(AppendResult result) {
        return assertInstanceOf(AppendResult.Appended.class, result);
    }

    private static List<String> positions(List<PartitionedEvent> events) {
        return events.stream().map(e -> e.partition() + ":" + e.event().globalSeq()).toList();
    }

    private static List<String> positions(ConcurrentLinkedQueue<PartitionedEvent> events, int partition) {
        return positions(events.stream().filter(e -> e.partition() == partition).toList());
    }

    private static List<PartitionedEvent> readAll(PartitionedLedger ledger) {
        return ledger.read(PartitionPositions.start(3), 1_000);
    }
}
