package dev.indelible.ledger.kafka.internal;

import dev.indelible.ledger.kafka.KafkaJournalConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The Kafka client settings the journal's guarantees rest on, plus the user's own (security and
 * the like). The user's cannot weaken ours: those keys are refused.
 *
 * <p>Immutable and thread-safe.
 */
final class ClientSettings {
    private static final Set<String> OURS = Set.of(ProducerConfig.ACKS_CONFIG, ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
        ProducerConfig.TRANSACTIONAL_ID_CONFIG, ConsumerConfig.ISOLATION_LEVEL_CONFIG,
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ConsumerConfig.GROUP_ID_CONFIG);

    private final KafkaJournalConfig config;

    ClientSettings(KafkaJournalConfig config) {
        for (String key : config.clientProperties().keySet()) {
            if (OURS.contains(key)) {
                throw new IllegalArgumentException("clientProperties: '" + key
                    + "' is set by the journal (its guarantees rest on it) and cannot be overridden");
            }
        }
        this.config = config;
    }

    Map<String, Object> admin() {
        Map<String, Object> p = common();
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "indelible-admin-" + config.topic());
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) config.timeout().toMillis());
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(config.timeout().toMillis(), 30_000));
        return p;
    }

    Map<String, Object> producer(int maxRequestBytes) {
        Map<String, Object> p = common();
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "indelible-writer-" + config.transactionalId());
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, config.transactionalId());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        // Idempotence keeps order with up to 5 requests in flight.
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, maxRequestBytes);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, config.timeout().toMillis());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 1);
        return p;
    }

    /** A producer outside any transaction, for records no event waits for (keys imported into a new journal). */
    Map<String, Object> plainProducer(String clientId) {
        Map<String, Object> p = common();
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, config.timeout().toMillis());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return p;
    }

    /**
     * A cursor's consumer. A fetch at the partition's end waits at the broker for up to
     * {@code fetchMaxWaitMs}, and a seek waits for the fetch in flight: the writer's cursors, which
     * seek for every lookup, wait 1 ms; readers, which mostly read on, 10 ms.
     */
    Map<String, Object> consumer(String clientId, int fetchMaxWaitMs) {
        Map<String, Object> p = common();
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        p.putIfAbsent(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, fetchMaxWaitMs);
        p.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2_000);
        return p;
    }

    /**
     * A member of a writer election's group: no offsets kept (it reads nothing), the sticky
     * cooperative assignor so the writer stays where it is when nodes join, and the session and
     * heartbeat the failover bound rests on.
     */
    Map<String, Object> electionMember(String groupId, String clientId, Duration session, Duration heartbeat) {
        Map<String, Object> p = common();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) session.toMillis());
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, (int) heartbeat.toMillis());
        return p;
    }

    private Map<String, Object> common() {
        Map<String, Object> p = new HashMap<>(config.clientProperties());
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        return p;
    }
}
