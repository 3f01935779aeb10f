package dev.indelible.ledger.kafka;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Where a ledger's journal lives on Kafka: one partition of one topic, written by one fenced
 * transactional writer. {@code global_seq} is dense over that partition, so a ledger has a total
 * order; more partitions are more ledgers.
 *
 * <p>Immutable and thread-safe.
 *
 * @param bootstrapServers  {@code host:port[,host:port...]}
 * @param topic             the topic; created with safe settings when absent and {@code createTopic}
 * @param partition         the partition holding this ledger's journal
 * @param transactionalId   the writer's identity: a newer writer with the same id fences older ones
 * @param createTopic       create the topic when it does not exist
 * @param replicationFactor for a created topic: {@code 0} means 3, or the broker count when fewer
 * @param timeout           how long to wait for the cluster at open and for each request
 * @param clientProperties  extra Kafka client settings (security, for example); the settings the
 *                          guarantees rest on ({@code acks}, idempotence, isolation) cannot be overridden
 */
public record KafkaJournalConfig(String bootstrapServers, String topic, int partition, String transactionalId,
                                 boolean createTopic, int replicationFactor, Duration timeout,
                                 Map<String, String> clientProperties) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    public KafkaJournalConfig {
        require("bootstrapServers", bootstrapServers);
        require("topic", topic);
        if (!topic.matches("[a-zA-Z0-9._-]{1,249}")) {
            throw new IllegalArgumentException("topic: Kafka topic names are 1 to 249 of [a-zA-Z0-9._-], was '" + topic + "'");
        }
        if (partition < 0) {
            throw new IllegalArgumentException("partition: must be >= 0, was " + partition);
        }
        require("transactionalId", transactionalId);
        if (replicationFactor < 0) {
            throw new IllegalArgumentException("replicationFactor: must be >= 0, was " + replicationFactor);
        }
        Objects.requireNonNull(timeout, "timeout");
        clientProperties = Map.copyOf(clientProperties);
    }

    /** Partition 0 of {@code topic}, writer id {@code indelible-<topic>-0}, topic created when absent. */
    public static KafkaJournalConfig of(String bootstrapServers, String topic) {
        return new KafkaJournalConfig(bootstrapServers, topic, 0, defaultTransactionalId(topic, 0), true, 0,
            DEFAULT_TIMEOUT, Map.of());
    }

    /**
     * Parses {@code kafka://host:port[,host:port]/topic[?partition=N&transactional.id=ID&create=false]};
     * other query parameters become client properties.
     */
    public static KafkaJournalConfig parse(String uri) {
        URI parsed;
        try {
            parsed = new URI(uri);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("journal: not a kafka:// address: " + e.getMessage(), e);
        }
        if (!"kafka".equals(parsed.getScheme()) || parsed.getRawAuthority() == null) {
            throw new IllegalArgumentException("journal: expected kafka://host:port/topic, was '" + uri + "'");
        }
        String path = parsed.getPath() == null ? "" : parsed.getPath().replaceFirst("^/", "");
        if (path.isEmpty() || path.contains("/")) {
            throw new IllegalArgumentException("journal: expected one topic after the servers: kafka://host:port/topic, was '" + uri + "'");
        }
        Map<String, String> query = new LinkedHashMap<>();
        if (parsed.getQuery() != null) {
            for (String pair : parsed.getQuery().split("&")) {
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("journal: query parameter '" + pair + "' is not name=value");
                }
                query.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
        }
        if (query.containsKey(PartitionedJournalConfig.PARTITIONS) || query.containsKey(PartitionedJournalConfig.KEYS)) {
            throw new IllegalArgumentException("journal: " + PartitionedJournalConfig.PARTITIONS + ": a journal over several"
                + " partitions is opened with PartitionedLedger; here give one of them with ?partition=N");
        }
        int partition = parseInt(query.remove("partition"), "partition", 0);
        String txId = query.remove("transactional.id");
        boolean create = !"false".equals(query.remove("create"));
        int rf = parseInt(query.remove("replication.factor"), "replication.factor", 0);
        return new KafkaJournalConfig(parsed.getRawAuthority(), path, partition,
            txId != null ? txId : defaultTransactionalId(path, partition), create, rf, DEFAULT_TIMEOUT, query);
    }

    public KafkaJournalConfig withPartition(int value) {
        String txId = transactionalId.equals(defaultTransactionalId(topic, partition))
            ? defaultTransactionalId(topic, value) : transactionalId;
        return new KafkaJournalConfig(bootstrapServers, topic, value, txId, createTopic, replicationFactor, timeout,
            clientProperties);
    }

    public KafkaJournalConfig withTransactionalId(String value) {
        return new KafkaJournalConfig(bootstrapServers, topic, partition, value, createTopic, replicationFactor, timeout,
            clientProperties);
    }

    public KafkaJournalConfig withCreateTopic(boolean value) {
        return new KafkaJournalConfig(bootstrapServers, topic, partition, transactionalId, value, replicationFactor,
            timeout, clientProperties);
    }

    public KafkaJournalConfig withTimeout(Duration value) {
        return new KafkaJournalConfig(bootstrapServers, topic, partition, transactionalId, createTopic,
            replicationFactor, value, clientProperties);
    }

    /** {@code kafka://servers/topic?partition=N}, for messages. */
    public String describe() {
        return "kafka://" + bootstrapServers + "/" + topic + "?partition=" + partition;
    }

    private static String defaultTransactionalId(String topic, int partition) {
        return "indelible-" + topic + "-" + partition;
    }

    static int parseInt(String value, String name, int absent) {
        if (value == null) {
            return absent;
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("journal: " + name + " must be a number, was '" + value + "'", e);
        }
    }

    private static void require(String name, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + ": is required");
        }
    }
}
