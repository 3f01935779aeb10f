package dev.indelible.ledger.kafka.internal;

import dev.indelible.ledger.LedgerException;
import dev.indelible.ledger.kafka.KafkaJournalConfig;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks, before a ledger serves, that the topic keeps every record forever and survives a broker
 * loss; creates it with those settings when absent. A topic that would lose events is refused,
 * naming the setting, rather than found out when the events are gone.
 *
 * <p>Stateless.
 */
final class TopicCheck {
    private static final Logger LOG = LoggerFactory.getLogger(TopicCheck.class);
    /** Records up to 8 MiB: a large append is one record, and must fit. */
    static final int MAX_MESSAGE_BYTES = 8 << 20;

    private TopicCheck() {
    }

    /** Ensures the topic is safe for a journal; returns the largest record it takes, in bytes. */
    static int ensure(Admin admin, KafkaJournalConfig config) {
        long timeoutMs = config.timeout().toMillis();
        Collection<Node> brokers = get(admin.describeCluster().nodes(), config, "list the brokers");
        TopicDescription topic = describe(admin, config);
        if (topic == null) {
            create(admin, config, brokers.size());
            // The brokers learn of a new topic a moment after it is created.
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            while ((topic = describe(admin, config)) == null) {
                if (System.nanoTime() > deadline) {
                    throw new LedgerException(config.describe() + ": the topic was created but cannot be described within "
                        + timeoutMs + " ms");
                }
                sleep(config);
            }
        }
        if (config.partition() >= topic.partitions().size()) {
            throw new TopicRefusedException(config.describe() + ": topic '" + config.topic() + "' has "
                + topic.partitions().size() + " partitions, so partition " + config.partition() + " does not exist");
        }
        int replicas = topic.partitions().get(config.partition()).replicas().size();
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, config.topic());
        Map<ConfigResource, Config> configs = get(admin.describeConfigs(List.of(resource)).all(), config,
            "read the topic's settings");
        return check(config, configs.get(resource), replicas, brokers.size());
    }

    /**
     * Ensures the topic is safe and has exactly {@code partitions} partitions (created with that many
     * when absent): a journal over several partitions places streams by the count, so another count
     * would move them.
     */
    static void ensurePartitions(Admin admin, KafkaJournalConfig config, int partitions) {
        ensure(admin, config.withPartition(partitions - 1)); // creates partition + 1 of them
        int found = describe(admin, config).partitions().size();
        if (found != partitions) {
            throw new TopicRefusedException(config.describe() + ": partitions: the journal has " + partitions
                + " partitions, but topic '" + config.topic() + "' has " + found
                + "; a journal is opened with the partition count it was written with");
        }
    }

    /** The topic's partition count, 0 when it does not exist. */
    static int partitions(Admin admin, KafkaJournalConfig config) {
        TopicDescription topic = describe(admin, config);
        return topic == null ? 0 : topic.partitions().size();
    }

    private static int check(KafkaJournalConfig config, Config settings, int replicas, int brokers) {
        List<String> unsafe = new ArrayList<>();
        if (!"-1".equals(value(settings, TopicConfig.RETENTION_MS_CONFIG))) {
            unsafe.add("retention.ms is " + value(settings, TopicConfig.RETENTION_MS_CONFIG)
                + ": Kafka would delete events older than that; a journal needs retention.ms=-1");
        }
        if (!"-1".equals(value(settings, TopicConfig.RETENTION_BYTES_CONFIG))) {
            unsafe.add("retention.bytes is " + value(settings, TopicConfig.RETENTION_BYTES_CONFIG)
                + ": Kafka would delete the oldest events past that size; a journal needs retention.bytes=-1");
        }
        String cleanup = value(settings, TopicConfig.CLEANUP_POLICY_CONFIG);
        if (cleanup != null && cleanup.contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
            unsafe.add("cleanup.policy is " + cleanup
                + ": compaction keeps only the last record per key and would delete events; a journal needs cleanup.policy=delete");
        }
        if ("true".equals(value(settings, TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG))) {
            unsafe.add("unclean.leader.election.enable is true: a replica that missed acknowledged events could become"
                + " leader and drop them; a journal needs it false");
        }
        int minIsr = Integer.parseInt(value(settings, TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG));
        if (brokers >= 3 && replicas < 3) {
            unsafe.add("partition " + config.partition() + " has " + replicas + " replica(s) on a cluster of " + brokers
                + " brokers: one broker's loss could lose acknowledged events; a journal needs 3");
        }
        if (brokers >= 3 && minIsr < 2) {
            unsafe.add("min.insync.replicas is " + minIsr + " on a cluster of " + brokers
                + " brokers: an append would be acknowledged with one copy; a journal needs at least 2");
        }
        if (!unsafe.isEmpty()) {
            throw new TopicRefusedException(config.describe() + ": refusing a topic that could lose events: "
                + String.join("; ", unsafe) + ". Fix with kafka-configs.sh --alter --entity-type topics --entity-name "
                + config.topic() + " --add-config ..., or use another topic.");
        }
        if (brokers < 3) {
            LOG.warn("{}: {} broker(s) and {} replica(s): acknowledged events survive a broker restart, not the loss of its disk",
                config.describe(), brokers, replicas);
        }
        return Integer.parseInt(value(settings, TopicConfig.MAX_MESSAGE_BYTES_CONFIG));
    }

    private static void sleep(KafkaJournalConfig config) {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failed(config, "describe the new topic", e);
        }
    }

    /** A topic setting's value, or null when the brokers gave none. */
    static String value(Config settings, String name) {
        ConfigEntry entry = settings.get(name);
        return entry == null ? null : entry.value();
    }

    /** The topic's description, or null when it does not exist. */
    private static TopicDescription describe(Admin admin, KafkaJournalConfig config) {
        Map<String, TopicDescription> found = await(admin.describeTopics(List.of(config.topic())).allTopicNames(),
            config, "describe the topic", UnknownTopicOrPartitionException.class);
        return found == null ? null : found.get(config.topic());
    }

    private static void create(Admin admin, KafkaJournalConfig config, int brokers) {
        if (!config.createTopic()) {
            throw new TopicRefusedException(config.describe() + ": topic '" + config.topic()
                + "' does not exist, and creating it was turned off");
        }
        int replicas = config.replicationFactor() > 0 ? config.replicationFactor() : Math.min(3, brokers);
        NewTopic topic = new NewTopic(config.topic(), config.partition() + 1, (short) replicas).configs(Map.of(
            TopicConfig.RETENTION_MS_CONFIG, "-1",
            TopicConfig.RETENTION_BYTES_CONFIG, "-1",
            TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
            TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG, "false",
            TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, replicas >= 3 ? "2" : "1",
            TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(MAX_MESSAGE_BYTES)));
        // Another process creating it at the same moment is fine: the settings are checked next.
        await(admin.createTopics(List.of(topic)).all(), config, "create the topic", TopicExistsException.class);
        LOG.info("{}: topic '{}' ready ({} partition(s), {} replica(s), kept forever)", config.describe(),
            config.topic(), config.partition() + 1, replicas);
    }

    static <T> T get(KafkaFuture<T> future, KafkaJournalConfig config, String what) {
        return await(future, config, what, null);
    }

    /** The future's value; null when it failed with {@code tolerated}; any other failure names {@code what}. */
    private static <T> T await(KafkaFuture<T> future, KafkaJournalConfig config, String what,
                               Class<? extends Exception> tolerated) {
        try {
            return future.get(config.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (tolerated != null && tolerated.isInstance(e.getCause())) {
                return null;
            }
            throw failed(config, what, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failed(config, what, e);
        } catch (TimeoutException e) {
            throw failed(config, what, e);
        }
    }

    private static LedgerException failed(KafkaJournalConfig config, String what, Throwable cause) {
        String why = cause instanceof TimeoutException ? "no answer within " + config.timeout().toMillis() + " ms"
            : String.valueOf(cause.getMessage());
        return new LedgerException(config.describe() + ": cannot " + what + ": " + why, cause);
    }
}
