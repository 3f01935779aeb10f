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
import dev.indelible.ledger.kafka.testing.LoopbackListeners;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntPredicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitionReassignment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three brokers (replication factor 3, min.insync.replicas 2) under 4 producers appending
 * asynchronously with group commit. Producers do what a client must: keep every unacknowledged
 * append and, if the ledger stopped, reopen it and retry them with the same event ids. Afterwards
 * every acknowledged event is there, and every event exactly once. One cluster for both tests:
 * the leader moves first (it needs all three brokers), then a broker stops for good.
 */
@Tag("system")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FailoverTest {
    private static final int PRODUCERS = 4;
    private static final int IN_FLIGHT = 256;
    private static final int LEADER_MOVES = 6;
    private static final Duration WAIT = Duration.ofSeconds(120);
    /** A round ends when every producer is done or saw its ledger fail, within Kafka's 2-minute delivery timeout. */
    private static final Duration ROUND = Duration.ofMinutes(5);

    private static KafkaCluster cluster;
    private static Admin admin;

    @TempDir
    Path dir;

    private final Set<EventId> acknowledged = ConcurrentHashMap.newKeySet();
    private int perProducer;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = KafkaCluster.start(3);
        admin = Admin.create(Map.of("bootstrap.servers", cluster.bootstrapServers()));
        LoopbackListeners.assertOnlyLoopback(cluster.ports());
    }

    @AfterAll
    static void stopCluster() throws Exception {
        admin.close();
        cluster.close();
    }

    /**
     * Six times, the leader of the ledger's partition or of the transaction coordinator's partition
     * moves to another in-sync replica (a reassignment that only reorders the replicas, then a
     * preferred election). Each can make Kafka write a commit marker twice; the writer carries on.
     */
    @Test
    @Order(1)
    void shouldKeepTheWriterThroughLeaderChanges() throws Exception {
        KafkaJournalConfig kafka = KafkaJournalConfig.of(cluster.bootstrapServers(), "leader-change");
        TopicPartition partition = new TopicPartition(kafka.topic(), kafka.partition());
        List<String> moves = new ArrayList<>();
        int rounds = appendAll(kafka, 2_500, due -> {
            while (moves.size() < LEADER_MOVES) {
                if (!due.test((moves.size() + 1) * 100 / (LEADER_MOVES + 1))) {
                    return; // the ledger stopped: reopen, then carry on moving
                }
                // Alternately the partition's leader and the transaction coordinator.
                TopicPartition moved = moves.size() % 2 == 0 ? partition : coordinatorPartition(kafka);
                moves.add(moved + ": " + moveLeader(moved));
            }
        });
        System.out.printf("3 brokers, leaders moved %s under load: %d reopen(s) of the writer, %d commit marker(s)"
            + " written twice%n", moves, rounds - 1, extraMarkers(partition));
        assertEquals(LEADER_MOVES, moves.size());
        assertEquals(0, rounds - 1, "the writer had to be reopened after a leader change");
    }

    /** The partition leader's broker stops (a controlled shutdown) once a quarter of the events are acknowledged. */
    @Test
    @Order(2)
    void shouldKeepEveryAcknowledgedAppendWhenTheLeaderStops() throws Exception {
        KafkaJournalConfig kafka = KafkaJournalConfig.of(cluster.bootstrapServers(), "failover");
        int[] stopped = {-1};
        int rounds = appendAll(kafka, 5_000, due -> {
            if (stopped[0] < 0 && due.test(25)) {
                stopped[0] = describe(new TopicPartition(kafka.topic(), kafka.partition())).leader().id();
                cluster.stopBroker(stopped[0]);
            }
        });
        assertTrue(stopped[0] >= 0, "the leader was stopped during the appends");
        System.out.printf("3 brokers, leader %d stopped: %,d events, each once, in %d round(s) of the writer%n",
            stopped[0], PRODUCERS * perProducer, rounds);
    }

    /** What the test does to the cluster while a round of producers runs. */
    private interface Disruption {
        /**
         * @param due waits until that percentage of the events is acknowledged; false if the ledger
         *            stopped first
         */
        void during(IntPredicate due) throws Exception;
    }

    /**
     * Appends {@code events} per producer, reopening the ledger after a failure (at most 4 times),
     * with {@code disruption} run in each round; checks every event is there once and returns the rounds.
     */
    private int appendAll(KafkaJournalConfig kafka, int events, Disruption disruption) throws Exception {
        perProducer = events;
        int total = PRODUCERS * events;
        int rounds = 0;
        while (acknowledged.size() < total) {
            assertTrue(++rounds <= 5, "still not done after 4 reopens; acknowledged " + acknowledged.size());
            try (Ledger ledger = KafkaLedger.open(kafka, dir, LedgerConfig.defaults())) {
                List<Thread> producers = new ArrayList<>();
                for (int p = 0; p < PRODUCERS; p++) {
                    int producer = p;
                    Thread thread = new Thread(() -> produce(ledger, producer), "producer-" + producer);
                    thread.start();
                    producers.add(thread);
                }
                disruption.during(percent -> {
                    try {
                        await(() -> acknowledged.size() * 100L >= (long) total * percent
                            || producers.stream().noneMatch(Thread::isAlive), WAIT);
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                    return acknowledged.size() * 100L >= (long) total * percent;
                });
                await(() -> producers.stream().noneMatch(Thread::isAlive), ROUND);
            }
        }
        assertEveryEventOnce(kafka, total);
        return rounds;
    }

    private void assertEveryEventOnce(KafkaJournalConfig kafka, int total) throws Exception {
        try (Ledger reader = KafkaLedger.openReadOnly(kafka, dir.resolve("reader"), LedgerConfig.defaults())) {
            List<RecordedEvent> all = reader.read(0, total * 2);
            Set<EventId> seen = new HashSet<>();
            for (int seq = 0; seq < all.size(); seq++) {
                assertEquals(seq, all.get(seq).globalSeq());
                assertTrue(seen.add(all.get(seq).eventId()), "written twice: " + all.get(seq).eventId());
            }
            assertTrue(seen.containsAll(acknowledged), "an acknowledged event is missing");
            assertEquals(total, all.size());
            VerifyReport report = reader.verify();
            assertTrue(report.ok(), report.problems().toString());
        }
    }

    /** Appends this producer's unacknowledged events in order, up to 256 in flight, until done or the ledger fails. */
    private void produce(Ledger ledger, int producer) {
        ArrayDeque<CompletableFuture<AppendResult>> window = new ArrayDeque<>();
        try {
            for (int i = 0; i < perProducer; i++) {
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

    /**
     * Offsets holding neither a record nor the one commit marker after each transaction: commit
     * markers Kafka wrote twice (the writer failing would add abort markers; that test allows none).
     */
    private static long extraMarkers(TopicPartition partition) {
        Map<String, Object> settings = Map.of("bootstrap.servers", cluster.bootstrapServers(),
            "isolation.level", "read_uncommitted", "key.deserializer", ByteArrayDeserializer.class,
            "value.deserializer", ByteArrayDeserializer.class);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(settings)) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            long extra = 0;
            long previous = -1;
            while (consumer.position(partition) < end) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofSeconds(1))) {
                    extra += Math.max(0, record.offset() - previous - 2);
                    previous = record.offset();
                }
            }
            return extra;
        }
    }

    /** Makes another in-sync replica the preferred one, elects it, and waits until it leads. */
    private static String moveLeader(TopicPartition partition) throws Exception {
        TopicPartitionInfo info = describe(partition);
        int from = info.leader().id();
        int to = info.isr().stream().map(Node::id).filter(id -> id != from).findFirst().orElseThrow();
        List<Integer> order = new ArrayList<>(List.of(to));
        info.replicas().stream().map(Node::id).filter(id -> id != to).forEach(order::add);
        admin.alterPartitionReassignments(Map.of(partition, Optional.of(new NewPartitionReassignment(order)))).all().get();
        await(() -> describe(partition).replicas().get(0).id() == to, WAIT);
        admin.electLeaders(ElectionType.PREFERRED, Set.of(partition)).all().get();
        await(() -> describe(partition).leader().id() == to, WAIT);
        return from + "->" + to;
    }

    /** The partition of __transaction_state whose leader coordinates the writer's transactions. */
    private static TopicPartition coordinatorPartition(KafkaJournalConfig kafka) throws Exception {
        int partitions = admin.describeTopics(List.of("__transaction_state")).allTopicNames().get()
            .get("__transaction_state").partitions().size();
        // The broker's own rule (TransactionStateManager.partitionFor).
        return new TopicPartition("__transaction_state", Utils.abs(kafka.transactionalId().hashCode()) % partitions);
    }

    private static TopicPartitionInfo describe(TopicPartition partition) throws Exception {
        return admin.describeTopics(List.of(partition.topic())).allTopicNames().get().get(partition.topic())
            .partitions().get(partition.partition());
    }
}
