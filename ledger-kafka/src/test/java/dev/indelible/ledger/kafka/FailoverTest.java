package dev.indelible.ledger.kafka;

import static dev.indelible.ledger.testing.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.EventId;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.RecordedEvent;
import dev.indelible.ledger.VerifyReport;
import dev.indelible.ledger.kafka.testing.KafkaCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three brokers; the partition leader's broker stops while 4 producers append 5,000 events each.
 * Producers do what a client must: keep every unacknowledged append and, if the ledger stopped,
 * reopen it and retry them with the same event ids. Afterwards every acknowledged event is there,
 * and every event exactly once.
 */
@Tag("system")
class FailoverTest {
    private static final int PRODUCERS = 4;
    private static final int PER_PRODUCER = 5_000;
    private static final int IN_FLIGHT = 256;
    /** The leader stops once a quarter of the events are acknowledged. */
    private static final int QUARTER = PRODUCERS * PER_PRODUCER / 4;
    private static final Duration WAIT = Duration.ofSeconds(120);
    /** A round ends when every producer is done or saw its ledger fail, within Kafka's 2-minute delivery timeout. */
    private static final Duration ROUND = Duration.ofMinutes(5);

    @TempDir
    Path dir;

    private final Set<EventId> acknowledged = ConcurrentHashMap.newKeySet();

    @Test
    void shouldKeepEveryAcknowledgedAppendWhenTheLeaderStops() throws Exception {
        try (KafkaCluster cluster = KafkaCluster.start(3)) {
            KafkaJournalConfig kafka = KafkaJournalConfig.of(cluster.bootstrapServers(), "failover");
            AtomicBoolean stopped = new AtomicBoolean();
            int rounds = 0;
            int stoppedBroker = -1;
            while (acknowledged.size() < PRODUCERS * PER_PRODUCER) {
                assertTrue(++rounds <= 5, "still not done after 4 reopens; acknowledged " + acknowledged.size());
                try (Ledger ledger = KafkaLedger.open(kafka, dir, LedgerConfig.defaults())) {
                    List<Thread> producers = new ArrayList<>();
                    for (int p = 0; p < PRODUCERS; p++) {
                        int producer = p;
                        Thread thread = new Thread(() -> produce(ledger, producer), "producer-" + producer);
                        thread.start();
                        producers.add(thread);
                    }
                    if (!stopped.get()) {
                        await(() -> acknowledged.size() >= QUARTER || producers.stream().noneMatch(Thread::isAlive), WAIT);
                        if (acknowledged.size() >= QUARTER) {
                            stoppedBroker = leaderOf(cluster, kafka);
                            cluster.stopBroker(stoppedBroker);
                            stopped.set(true);
                        }
                    }
                    await(() -> producers.stream().noneMatch(Thread::isAlive), ROUND);
                }
            }
            assertTrue(stopped.get(), "the leader was stopped during the appends");

            try (Ledger reader = KafkaLedger.openReadOnly(kafka, dir.resolve("reader"), LedgerConfig.defaults())) {
                List<RecordedEvent> all = reader.read(0, 100_000);
                Set<EventId> seen = new HashSet<>();
                for (int seq = 0; seq < all.size(); seq++) {
                    assertEquals(seq, all.get(seq).globalSeq());
                    assertTrue(seen.add(all.get(seq).eventId()), "written twice: " + all.get(seq).eventId());
                }
                assertTrue(seen.containsAll(acknowledged), "an acknowledged event is missing");
                assertEquals(PRODUCERS * PER_PRODUCER, all.size());
                VerifyReport report = reader.verify();
                assertTrue(report.ok(), report.problems().toString());
                System.out.printf("3 brokers, leader %d stopped: %,d events, each once, in %d round(s) of the writer%n",
                    stoppedBroker, all.size(), rounds);
            }
        }
    }

    /** Appends this producer's unacknowledged events in order, up to 256 in flight, until done or the ledger fails. */
    private void produce(Ledger ledger, int producer) {
        ArrayDeque<CompletableFuture<AppendResult>> window = new ArrayDeque<>();
        try {
            for (int i = 0; i < PER_PRODUCER; i++) {
                EventId id = new EventId(producer, i);
                if (acknowledged.contains(id)) {
                    continue;
                }
                EventData event = EventData.json("test.event", ("{\"p\":" + producer + ",\"i\":" + i + "}")
                    .getBytes(StandardCharsets.UTF_8)).withEventId(id);
                window.add(ledger.appendAsync("producer-" + producer, ExpectedVersion.ANY, event)
                    .thenApply(r -> {
                        if (r instanceof AppendResult.Appended) {
                            acknowledged.add(id);
                        }
                        return r;
                    }));
                if (window.size() >= IN_FLIGHT) {
                    window.poll().join();
                }
            }
            window.forEach(CompletableFuture::join);
        } catch (RuntimeException e) {
            // The ledger stopped (its transaction failed): the round ends, the next reopens and retries.
        }
    }

    private static int leaderOf(KafkaCluster cluster, KafkaJournalConfig kafka) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", cluster.bootstrapServers()))) {
            return admin.describeTopics(List.of(kafka.topic())).allTopicNames().get().get(kafka.topic())
                .partitions().get(kafka.partition()).leader().id();
        }
    }
}
