package dev.indelible.ledger.kafka.internal;

import dev.indelible.ledger.LedgerException;
import dev.indelible.ledger.kafka.KafkaJournalConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keys topic beside a journal's topic, {@code <topic>-keys}: one partition, compacted (the last
 * record of each key is kept, a tombstone removes a key's bytes at the next compaction), never
 * deleted by age. Created with {@code max.compaction.lag.ms} at {@link #MAX_COMPACTION_LAG_MS}, the
 * bound on how long a destroyed key's bytes stay on the brokers' disks. A topic that could lose keys
 * is refused, naming the setting.
 *
 * <p>Stateless.
 */
final class KeysTopic {
    private static final Logger LOG = LoggerFactory.getLogger(KeysTopic.class);
    /** One hour: a destroyed key's record is compacted away within it (see ledger-kafka/README). */
    static final long MAX_COMPACTION_LAG_MS = 3_600_000L;

    private KeysTopic() {
    }

    static String name(KafkaJournalConfig journal) {
        return journal.topic() + "-keys";
    }

    /** Whether the keys topic exists. */
    static boolean exists(Admin admin, KafkaJournalConfig journal) {
        return describe(admin, journal) != null;
    }

    /** Creates the keys topic when absent (another process creating it at once is fine), then checks its settings. */
    static void ensure(Admin admin, KafkaJournalConfig journal) {
        if (describe(admin, journal) == null) {
            int brokers = TopicCheck.get(admin.describeCluster().nodes(), journal, "list the brokers").size();
            int replicas = journal.replicationFactor() > 0 ? journal.replicationFactor() : Math.min(3, brokers);
            NewTopic topic = new NewTopic(name(journal), 1, (short) replicas).configs(Map.of(
                TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG, Long.toString(MAX_COMPACTION_LAG_MS),
                TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG, "false",
                TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, replicas >= 3 ? "2" : "1"));
            try {
                admin.createTopics(List.of(topic)).all().get(journal.timeout().toMillis(), TimeUnit.MILLISECONDS);
                LOG.info("{}: keys topic '{}' created (compacted, max.compaction.lag.ms {})", journal.describe(),
                    name(journal), MAX_COMPACTION_LAG_MS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw failed(journal, "create", e.getCause());
                }
            } catch (Exception e) {
                throw failed(journal, "create", e);
            }
            awaitDescribed(admin, journal);
        }
        check(admin, journal);
    }

    private static void check(Admin admin, KafkaJournalConfig journal) {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, name(journal));
        Config settings = TopicCheck.get(admin.describeConfigs(List.of(resource)).all(), journal,
            "read the keys topic's settings").get(resource);
        List<String> unsafe = new ArrayList<>();
        String cleanup = TopicCheck.value(settings, TopicConfig.CLEANUP_POLICY_CONFIG);
        if (!TopicConfig.CLEANUP_POLICY_COMPACT.equals(cleanup)) {
            unsafe.add("cleanup.policy is " + cleanup + ": the keys topic needs cleanup.policy=compact (deleting by age"
                + " would lose keys, and with them every sealed value; without compaction erased keys stay on disk)");
        }
        if ("true".equals(TopicCheck.value(settings, TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG))) {
            unsafe.add("unclean.leader.election.enable is true: a replica that missed a key could become leader");
        }
        if (!unsafe.isEmpty()) {
            throw new LedgerException(journal.describe() + ": refusing keys topic '" + name(journal) + "': "
                + String.join("; ", unsafe) + ". Fix with kafka-configs.sh --alter --entity-type topics --entity-name "
                + name(journal) + " --add-config ...");
        }
    }

    /** The journal's topic holds no record in any partition: nothing was sealed yet, so keys may start afresh. */
    static boolean journalEmpty(Admin admin, KafkaJournalConfig journal) {
        TopicDescription topic = TopicCheck.get(admin.describeTopics(List.of(journal.topic())).allTopicNames(), journal,
            "describe the topic").get(journal.topic());
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        topic.partitions().forEach(p -> latest.put(new TopicPartition(journal.topic(), p.partition()), OffsetSpec.latest()));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = TopicCheck.get(admin.listOffsets(latest).all(),
            journal, "find the ends of the topic's partitions");
        return ends.values().stream().allMatch(end -> end.offset() == 0);
    }

    /** Whether the keys topic holds no record. */
    static boolean empty(Admin admin, KafkaJournalConfig journal) {
        TopicPartition partition = new TopicPartition(name(journal), 0);
        return TopicCheck.get(admin.listOffsets(Map.of(partition, OffsetSpec.latest())).all(), journal,
            "find the end of the keys topic").get(partition).offset() == 0;
    }

    private static TopicDescription describe(Admin admin, KafkaJournalConfig journal) {
        try {
            return admin.describeTopics(List.of(name(journal))).allTopicNames()
                .get(journal.timeout().toMillis(), TimeUnit.MILLISECONDS).get(name(journal));
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return null;
            }
            throw failed(journal, "describe", e.getCause());
        } catch (Exception e) {
            throw failed(journal, "describe", e);
        }
    }

    /** The brokers learn of a new topic a moment after it is created. */
    private static void awaitDescribed(Admin admin, KafkaJournalConfig journal) {
        long deadline = System.nanoTime() + journal.timeout().toNanos();
        while (describe(admin, journal) == null) {
            if (System.nanoTime() > deadline) {
                throw new LedgerException(journal.describe() + ": keys topic '" + name(journal)
                    + "' was created but cannot be described within " + journal.timeout().toMillis() + " ms");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw failed(journal, "describe", e);
            }
        }
    }

    private static LedgerException failed(KafkaJournalConfig journal, String what, Throwable cause) {
        if (cause instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        return new LedgerException(journal.describe() + ": cannot " + what + " keys topic '" + name(journal) + "': "
            + cause, cause);
    }
}
