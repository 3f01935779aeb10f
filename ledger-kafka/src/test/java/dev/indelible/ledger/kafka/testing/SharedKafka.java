package dev.indelible.ledger.kafka.testing;

import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.kafka.KafkaJournalConfig;
import dev.indelible.ledger.kafka.KafkaLedger;
import dev.indelible.ledger.kafka.PartitionRule;
import dev.indelible.ledger.kafka.PartitionedJournalConfig;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One single-broker cluster for every test class of this JVM that needs only one broker: started
 * on first use, stopped when all tests ran. Each data directory gets its own topic, so tests stay
 * apart and a reopen of the same directory finds its events.
 *
 * <p>Thread-safe.
 */
public final class SharedKafka {
    private static final Map<Path, String> TOPICS = new ConcurrentHashMap<>();
    private static KafkaCluster cluster;

    private SharedKafka() {
    }

    public static synchronized KafkaCluster cluster() {
        if (cluster == null) {
            try {
                cluster = KafkaCluster.start(1);
            } catch (Exception e) {
                throw new IllegalStateException("cannot start a Kafka broker on 127.0.0.1", e);
            }
        }
        return cluster;
    }

    /** Stops the broker once every test ran (JUnit closes the root store's resources then). */
    static synchronized void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
            cluster = null;
        }
    }

    /** Registered for every test class through META-INF/services (see junit-platform.properties). */
    public static final class StopAtEnd implements BeforeAllCallback {
        @Override
        public void beforeAll(ExtensionContext context) {
            context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(SharedKafka.class, k -> (AutoCloseable) SharedKafka::stop);
        }
    }

    /** The journal of {@code dataDir}: a topic of its own on the shared broker. */
    public static KafkaJournalConfig journalFor(Path dataDir) {
        String topic = TOPICS.computeIfAbsent(dataDir.toAbsolutePath(), d -> "ledger-" + UUID.randomUUID());
        return KafkaJournalConfig.of(cluster().bootstrapServers(), topic);
    }

    /** A journal over {@code partitions} partitions of {@code dataDir}'s own topic on the shared broker. */
    public static PartitionedJournalConfig partitionedJournalFor(Path dataDir, int partitions, String keys) {
        return new PartitionedJournalConfig(journalFor(dataDir), PartitionRule.of(partitions, keys));
    }

    /** A ledger on the shared broker for {@code dataDir}: what the contract tests open. */
    public static Ledger open(Path dataDir, LedgerConfig config) {
        return KafkaLedger.open(journalFor(dataDir), dataDir, config);
    }
}
