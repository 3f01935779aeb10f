package dev.indelible.ledger.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.LedgerException;
import dev.indelible.ledger.kafka.testing.SharedKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A topic that would lose events is refused at open, naming the setting; a new topic is created safe. */
@Tag("system")
class TopicSettingsTest {
    @TempDir
    Path dir;

    @Test
    void shouldRefuseATopicWithRetentionAndNameTheSetting() throws Exception {
        String topic = createTopic("retention-7d", Map.of("retention.ms", "604800000"));

        LedgerException refused = assertThrows(LedgerException.class, () -> open(topic));

        assertTrue(refused.getMessage().contains("retention.ms is 604800000"), refused.getMessage());
        assertTrue(refused.getMessage().contains("retention.ms=-1"), refused.getMessage());
    }

    @Test
    void shouldRefuseACompactedTopic() throws Exception {
        String topic = createTopic("compacted", Map.of("retention.ms", "-1", "cleanup.policy", "compact"));

        LedgerException refused = assertThrows(LedgerException.class, () -> open(topic));

        assertTrue(refused.getMessage().contains("cleanup.policy is compact"), refused.getMessage());
    }

    @Test
    void shouldRefuseAMissingPartition() throws Exception {
        String topic = createTopic("one-partition", Map.of("retention.ms", "-1", "retention.bytes", "-1"));
        KafkaJournalConfig second = KafkaJournalConfig.of(SharedKafka.cluster().bootstrapServers(), topic).withPartition(1);

        LedgerException refused = assertThrows(LedgerException.class,
            () -> KafkaLedger.open(second, dir, LedgerConfig.defaults()).close());

        assertTrue(refused.getMessage().contains("partition 1 does not exist"), refused.getMessage());
    }

    /**
     * Nodes starting together retry the election's topic check while the brokers catch up, but not a
     * refusal: that fails at once (a retry would last the journal's whole timeout), with its message.
     */
    @Test
    void shouldRefuseAnUnsafeOrMissingTopicToAnElectionWithoutRetrying() throws Exception {
        String unsafe = createTopic("election-retention", Map.of("retention.ms", "604800000"));
        String onePartition = createTopic("election-one-partition", Map.of("retention.ms", "-1", "retention.bytes", "-1"));
        String servers = SharedKafka.cluster().bootstrapServers();
        Map<KafkaJournalConfig, String> refusals = Map.of(
            KafkaJournalConfig.of(servers, unsafe), "refusing a topic that could lose events: retention.ms is 604800000",
            KafkaJournalConfig.of(servers, onePartition).withPartition(1), "partition 1 does not exist");
        for (Map.Entry<KafkaJournalConfig, String> refusal : refusals.entrySet()) {
            long started = System.nanoTime();

            LedgerException refused = assertThrows(LedgerException.class, () -> WriterElection.join(refusal.getKey(),
                WriterElection.Settings.DEFAULTS, "127.0.0.1:1004", new NeverElected()).close());

            assertTrue(refused.getMessage().contains(refusal.getValue()), refused.getMessage());
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            assertTrue(took.compareTo(refusal.getKey().timeout()) < 0, "refused after " + took + ": it was retried");
        }
    }

    @Test
    void shouldCreateAnAbsentTopicThatKeepsEverythingForever() throws Exception {
        String topic = "created-" + System.nanoTime();

        open(topic);

        try (Admin admin = admin()) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            Config config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
            assertEquals("-1", config.get("retention.ms").value());
            assertEquals("-1", config.get("retention.bytes").value());
            assertEquals("delete", config.get("cleanup.policy").value());
            assertEquals("false", config.get("unclean.leader.election.enable").value());
            TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
            assertEquals(1, description.partitions().size());
        }
    }

    @Test
    void shouldRefuseClientPropertiesThatWouldWeakenTheGuarantees() {
        KafkaJournalConfig weakened = new KafkaJournalConfig(SharedKafka.cluster().bootstrapServers(), "any", 0, "w",
            true, 0, KafkaJournalConfig.DEFAULT_TIMEOUT, Map.of("acks", "1"));

        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
            () -> KafkaLedger.open(weakened, dir, LedgerConfig.defaults()).close());

        assertTrue(refused.getMessage().startsWith("clientProperties: 'acks'"), refused.getMessage());
    }

    @Test
    void shouldParseAJournalAddress() {
        KafkaJournalConfig parsed = KafkaJournalConfig.parse("kafka://127.0.0.1:9092,127.0.0.1:9093/events?partition=2&security.protocol=SSL");

        assertEquals("127.0.0.1:9092,127.0.0.1:9093", parsed.bootstrapServers());
        assertEquals("events", parsed.topic());
        assertEquals(2, parsed.partition());
        assertEquals("indelible-events-2", parsed.transactionalId());
        assertEquals(Map.of("security.protocol", "SSL"), parsed.clientProperties());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
            () -> KafkaJournalConfig.parse("kafka://127.0.0.1:9092/"));
        assertTrue(bad.getMessage().startsWith("journal: "), bad.getMessage());
    }

    /** A role the refused elections above never reach. */
    private static final class NeverElected implements WriterElection.Role {
        @Override
        public boolean elected() {
            throw new AssertionError("elected on a refused topic");
        }

        @Override
        public void deposed() {
        }
    }

    private void open(String topic) {
        KafkaLedger.open(KafkaJournalConfig.of(SharedKafka.cluster().bootstrapServers(), topic), dir,
            LedgerConfig.defaults()).close();
    }

    private static String createTopic(String prefix, Map<String, String> configs) throws Exception {
        String topic = prefix + "-" + System.nanoTime();
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1).configs(configs))).all().get();
        }
        return topic;
    }

    private static Admin admin() {
        return Admin.create(Map.of("bootstrap.servers", SharedKafka.cluster().bootstrapServers()));
    }
}
