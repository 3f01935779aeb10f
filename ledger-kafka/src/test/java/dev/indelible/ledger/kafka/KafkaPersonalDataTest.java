package dev.indelible.ledger.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.InvalidEventException;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.LedgerException;
import dev.indelible.ledger.PersonalData;
import dev.indelible.ledger.PersonalFields;
import dev.indelible.ledger.RecordedEvent;
import dev.indelible.ledger.internal.KillPoints;
import dev.indelible.ledger.kafka.testing.KafkaEraseWorker;
import dev.indelible.ledger.kafka.testing.SharedKafka;
import dev.indelible.ledger.testing.Bytes;
import dev.indelible.ledger.testing.ChildJvm;
import dev.indelible.projections.OfflineProjections;
import dev.indelible.projections.proto.AccountRegistered;
import dev.indelible.projections.reference.DomainEvents;
import dev.indelible.projections.reference.ReferenceProjections;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Personal data on a Kafka journal: sealed with keys kept in the keys topic beside it (never in the
 * journal's topic, never on a node's disk), erased by destroying the key in the transaction of the
 * {@code ops.erase} event, and a damaged keys topic refused naming the topic and offset.
 */
@Tag("system")
class KafkaPersonalDataTest {
    private static final LedgerConfig CONFIG = DomainEvents.register(LedgerConfig.builder()).build();
    private static final String[][] ACCOUNTS = {
        {"acc-1", "alice@example.com", "Alice Liddell"},
        {"acc-2", "bob@example.com", "Bobby Tables"},
        {"acc-3", "carol@example.com", "Carol Danvers"}};

    @TempDir
    Path dir;

    @Test
    void shouldSealOnKafkaAndLeaveAnErasedAccountNowhere() throws Exception {
        Path writerDir = dir.resolve("writer");
        KafkaJournalConfig kafka = SharedKafka.journalFor(writerDir);
        try (Ledger writer = SharedKafka.open(writerDir, CONFIG)) {
            for (String[] a : ACCOUNTS) {
                AppendResult.Appended appended = assertInstanceOf(AppendResult.Appended.class, register(writer, a[0], a[1], a[2]));
                assertFalse(appended.stream().contains("@"), "the reservation is named by its keyed hash: " + appended.stream());
            }
            assertTrue(writer.personalData().erase("account-acc-2", "test"));
            assertFalse(writer.personalData().erase("account-acc-2", "test"), "erased already: nothing appended");
            OfflineProjections.rebuild(writer, dir.resolve("projections"), ReferenceProjections.all(), (at, of) -> { });

            assertOpened(writer, Map.of("acc-1", "alice@example.com", "acc-2", PersonalData.ERASED, "acc-3", "carol@example.com"));
            assertInstanceOf(AppendResult.WrongExpectedVersion.class, register(writer, "acc-4", "bob@example.com", "Someone"),
                "the erased account's address stays taken");
            InvalidEventException refused = assertThrows(InvalidEventException.class,
                () -> register(writer, "acc-2", "bob2@example.com", "Bob Again"));
            assertTrue(refused.getMessage().contains("erased"), refused.getMessage());
        }

        byte[] journal = topicBytes(kafka.topic());
        byte[] projections = directoryBytes(dir.resolve("projections"));
        for (String[] a : ACCOUNTS) {
            for (String clear : new String[] {a[1], a[2]}) {
                assertFalse(contains(journal, clear), clear + " is in the journal's topic");
                assertFalse(contains(projections, clear), clear + " is in the projections' data");
            }
        }
        assertTrue(contains(journal, "enc:v1:account-acc-1:") && contains(journal, "ops.erase"));
        assertTrue(KafkaLedger.verify(kafka).ok());
        KafkaLedger.KeysSummary keys = KafkaLedger.inspectKeys(kafka);
        assertEquals(Set.of("account-acc-2"), keys.erased());
        assertEquals(2, keys.subjects());

        // Another node, with nothing in memory and a data directory of its own: the erasure holds there too.
        try (Ledger node = KafkaLedger.openReadOnly(kafka, dir.resolve("node-2"), CONFIG)) {
            assertOpened(node, Map.of("acc-1", "alice@example.com", "acc-2", PersonalData.ERASED, "acc-3", "carol@example.com"));
            assertTrue(node.personalData().isErased("account-acc-2"));
        }
        assertFalse(Files.exists(dir.resolve("node-2").resolve("keys")), "no key on a node's disk");
    }

    /**
     * {@code kill -9} of an erasing writer (a child JVM) with its tombstone, erased record and
     * {@code ops.erase} sent and not committed: the next writer's fencing aborts them all, and the subject
     * is wholly there; verify says so. (Killed after the commit, the erasure is whole: the first test's
     * state. One child JVM, not two: each costs 8 to 13 s here.)
     */
    @Test
    void shouldLeaveASubjectWhollyThereWhenItsErasureIsKilledBeforeItsCommit() throws Exception {
        Path data = dir.resolve("data");
        KafkaJournalConfig kafka = SharedKafka.journalFor(data);
        try (Ledger writer = SharedKafka.open(data, CONFIG)) {
            assertInstanceOf(AppendResult.Appended.class, register(writer, "acc-2", "bob@example.com", "Bobby Tables"));
        }
        try (ChildJvm child = ChildJvm.startWith(List.of("-Dindelible.killPoint=" + KillPoints.BEFORE_SYNC + ":1"),
            KafkaEraseWorker.class, dir.resolve("child.err"), kafka.bootstrapServers(), kafka.topic(),
            dir.resolve("child").toString(), "account-acc-2")) {
            assertEquals(137, child.awaitExit(60), child.stderrText());
            assertTrue(child.stderrText().contains("kill point " + KillPoints.BEFORE_SYNC), child.stderrText());
        }
        try (Ledger writer = SharedKafka.open(data, CONFIG)) { // fences the killed writer, aborting its transaction
            assertFalse(writer.personalData().isErased("account-acc-2"));
            assertOpened(writer, Map.of("acc-2", "bob@example.com"));
            assertEquals(0, writer.readStream(PersonalData.ERASURE_STREAM, 0, 10).size());
            assertEquals(Set.of(), KafkaLedger.inspectKeys(kafka).erased(), "verify says which");
            assertTrue(writer.personalData().erase("account-acc-2", "again"));
            assertOpened(writer, Map.of("acc-2", PersonalData.ERASED));
        }
        assertEquals(Set.of("account-acc-2"), KafkaLedger.inspectKeys(kafka).erased());
        assertTrue(KafkaLedger.verify(kafka).ok());
    }

    @Test
    void shouldRefuseADamagedKeysTopicNamingItsOffsetUntilResolved() throws Exception {
        Path data = dir.resolve("damaged");
        KafkaJournalConfig kafka = SharedKafka.journalFor(data);
        try (Ledger writer = SharedKafka.open(data, CONFIG)) {
            register(writer, "acc-1", "alice@example.com", "Alice Liddell");
        }
        String keysTopic = kafka.topic() + "-keys";
        byte[] name = "key:0:account-acc-9".getBytes(StandardCharsets.UTF_8);
        long offset = produce(keysTopic, name, "not a key record".getBytes(StandardCharsets.UTF_8));

        LedgerException refused = assertThrows(LedgerException.class, () -> SharedKafka.open(data, CONFIG));
        assertTrue(refused.getMessage().contains("keys topic '" + keysTopic + "'")
            && refused.getMessage().contains("offset " + offset) && refused.getMessage().contains("bad header"), refused.getMessage());
        LedgerException reported = assertThrows(LedgerException.class, () -> KafkaLedger.inspectKeys(kafka));
        assertTrue(reported.getMessage().contains("offset " + offset), reported.getMessage());
        assertEquals(1, KafkaLedger.verify(kafka).eventsChecked(), "nothing was appended");

        produce(keysTopic, name, null); // resolved: a tombstone under its key
        try (Ledger writer = SharedKafka.open(data, CONFIG)) {
            assertOpened(writer, Map.of("acc-1", "alice@example.com"));
            assertInstanceOf(AppendResult.Appended.class, register(writer, "acc-3", "carol@example.com", "Carol Danvers"));
        }
        assertNotNull(KafkaLedger.inspectKeys(kafka));
    }

    /**
     * Over 3 partitions each writer seals a subject's values with a key of its own (so compaction keeps
     * every one), and an erasure through another partition's writer destroys all of them.
     */
    @Test
    void shouldGiveEachPartitionsWriterItsOwnKeyAndEraseEveryOne() throws Exception {
        LedgerConfig config = LedgerConfig.builder().personalStreams("email-")
            .personalFields("customer.noted", PersonalFields.json("customer-", "customer_id", "email")).build();
        Path data = dir.resolve("partitions");
        PartitionedJournalConfig journal = SharedKafka.partitionedJournalFor(data, 3, "");
        String first = "notes-0";
        String second = IntStream.range(1, 100).mapToObj(i -> "notes-" + i)
            .filter(s -> journal.rule().partitionOf(s) != journal.rule().partitionOf(first)).findFirst().orElseThrow();
        int[] holding = {journal.rule().partitionOf(first), journal.rule().partitionOf(second)};
        int other = IntStream.range(0, 3).filter(p -> p != holding[0] && p != holding[1]).findFirst().orElseThrow();
        String keysTopic = journal.journal().topic() + "-keys";
        try (PartitionedLedger ledger = PartitionedLedger.open(journal, data, config)) {
            String reservation = ledger.partition(0).personalData().streamName("email-dana@example.com");
            for (int p = 1; p < 3; p++) {
                assertEquals(reservation, ledger.partition(p).personalData().streamName("email-dana@example.com"),
                    "the writers, opened together, share the first secret committed");
            }
            ledger.append(first, ExpectedVersion.ANY, note("c-1", "dana@example.com"));
            ledger.append(second, ExpectedVersion.ANY, note("c-1", "dana@example.com"));
            ledger.append(first, ExpectedVersion.ANY, note("c-2", "erin@example.com"));
            Map<String, byte[]> made = lastRecords(keysTopic);
            for (int p : holding) {
                assertNotNull(made.get("key:" + p + ":customer-c-1"), "partition " + p + "'s key: " + made.keySet());
            }
            assertTrue(ledger.partition(other).personalData().erase("customer-c-1", "test"));
        }
        Map<String, byte[]> left = lastRecords(keysTopic);
        for (int p : holding) {
            assertTrue(left.containsKey("key:" + p + ":customer-c-1") && left.get("key:" + p + ":customer-c-1") == null,
                "partition " + p + "'s key is destroyed");
        }
        assertNotNull(left.get("key:" + holding[0] + ":customer-c-2"));
        try (PartitionedLedger reader = PartitionedLedger.openReadOnly(journal, dir.resolve("partitions-reader"), config)) {
            String all = opened(reader.partition(holding[0]), first) + opened(reader.partition(holding[1]), second);
            assertFalse(all.contains("dana@example.com"), all);
            assertTrue(all.contains("erin@example.com") && all.contains(PersonalData.ERASED), all);
        }
    }

    private static EventData note(String customer, String email) {
        return EventData.json("customer.noted", ("{\"customer_id\":\"" + customer + "\",\"email\":\"" + email + "\"}")
            .getBytes(StandardCharsets.UTF_8));
    }

    private static String opened(Ledger ledger, String stream) {
        StringBuilder all = new StringBuilder();
        for (RecordedEvent e : ledger.readStream(stream, 0, 10)) {
            all.append(new String(ledger.personalData().opened(e).payload(), StandardCharsets.UTF_8));
        }
        return all.toString();
    }

    /** The last value of each record key of the topic, read_committed (null for a tombstone): what compaction keeps. */
    private static Map<String, byte[]> lastRecords(String topic) {
        Map<String, byte[]> last = new java.util.HashMap<>();
        records(topic, "read_committed").forEach(r -> last.put(new String(r.key(), StandardCharsets.UTF_8), r.value()));
        return last;
    }

    /** Every record of the topic's partition 0 with the {@code isolation} level, in order. */
    private static List<ConsumerRecord<byte[], byte[]>> records(String topic, String isolation) {
        List<ConsumerRecord<byte[], byte[]>> all = new java.util.ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.cluster().bootstrapServers(),
            ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation,
            ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
            ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class))) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (consumer.position(partition) < end && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(100)).forEach(all::add);
            }
            assertTrue(consumer.position(partition) >= end, "read the whole topic");
        }
        return all;
    }

    private static AppendResult register(Ledger ledger, String id, String email, String name) {
        EventData event = DomainEvents.event(DomainEvents.ACCOUNT_REGISTERED,
            AccountRegistered.newBuilder().setAccountId(id).setEmail(email).setDisplayName(name).build());
        return ledger.append("email-" + email, ExpectedVersion.NO_STREAM, event);
    }

    /** Each account's address as every read shows it (opened with the keys). */
    private static void assertOpened(Ledger ledger, Map<String, String> emails) throws Exception {
        int seen = 0;
        for (RecordedEvent e : ledger.read(0, 1_000)) {
            if (e.type().equals(DomainEvents.ACCOUNT_REGISTERED)) {
                AccountRegistered stored = AccountRegistered.parseFrom(e.payload());
                AccountRegistered opened = AccountRegistered.parseFrom(ledger.personalData().opened(e).payload());
                assertTrue(stored.getEmail().startsWith("enc:v1:account-" + stored.getAccountId() + ":"), stored.getEmail());
                if (emails.containsKey(opened.getAccountId())) {
                    assertEquals(emails.get(opened.getAccountId()), opened.getEmail(), opened.getAccountId());
                    seen++;
                }
            }
        }
        assertEquals(emails.size(), seen, "accounts read");
    }

    /** Every record of the topic as stored, aborted transactions included. */
    private static byte[] topicBytes(String topic) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        records(topic, "read_uncommitted").forEach(r -> all.writeBytes(r.value()));
        return all.toByteArray();
    }

    private static byte[] directoryBytes(Path root) throws Exception {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                all.writeBytes(Files.readAllBytes(file));
            }
        }
        assertTrue(all.size() > 0);
        return all.toByteArray();
    }

    private static boolean contains(byte[] bytes, String text) {
        return Bytes.indexOf(bytes, text.getBytes(StandardCharsets.UTF_8)) >= 0;
    }

    /** Produces one record outside Indelible (a damaged one, or the operator's fix), returning its offset. */
    private static long produce(String topic, byte[] key, byte[] value) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.cluster().bootstrapServers(),
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class))) {
            return producer.send(new ProducerRecord<>(topic, 0, key, value)).get().offset();
        }
    }
}
