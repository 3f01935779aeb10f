package dev.indelible.ledger.kafka.testing;

import java.util.Map;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * Real KRaft brokers in the test JVM, listening on 127.0.0.1. Kafka's test kit is internal API:
 * it is used here and nowhere else.
 *
 * <p>Thread-safe.
 */
public final class KafkaCluster implements AutoCloseable {
    private final KafkaClusterTestKit kit;

    private KafkaCluster(KafkaClusterTestKit kit) {
        this.kit = kit;
    }

    /**
     * Starts {@code brokers} brokers, the first also the one KRaft controller, and waits until they
     * serve. (A three-voter quorum in the kit crashed its raft thread here when a broker stopped.)
     */
    public static KafkaCluster start(int brokers) throws Exception {
        TestKitNodes nodes = new TestKitNodes.Builder()
            .setCombined(true)
            .setNumBrokerNodes(brokers)
            .setNumControllerNodes(1)
            .build();
        short internalReplicas = (short) Math.min(3, brokers);
        KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes);
        Map.of(
            "offsets.topic.replication.factor", String.valueOf(internalReplicas),
            "transaction.state.log.replication.factor", String.valueOf(internalReplicas),
            "transaction.state.log.min.isr", String.valueOf(Math.min(2, brokers)),
            "transaction.state.log.num.partitions", "4",
            "offsets.topic.num.partitions", "4",
            "group.initial.rebalance.delay.ms", "0",
            "auto.create.topics.enable", "false"
        ).forEach(builder::setConfigProp);
        KafkaClusterTestKit kit = builder.build();
        try {
            kit.format();
            kit.startup();
            kit.waitForReadyBrokers();
        } catch (Exception e) {
            kit.close();
            throw e;
        }
        return new KafkaCluster(kit);
    }

    public String bootstrapServers() {
        return kit.bootstrapServers();
    }

    /** Stops one broker (a controlled shutdown), as a failing machine would leave the cluster. */
    public void stopBroker(int id) {
        kit.brokers().get(id).shutdown();
    }

    public void startBroker(int id) {
        kit.brokers().get(id).startup();
    }

    public java.util.Set<Integer> brokerIds() {
        return kit.brokers().keySet();
    }

    @Override
    public void close() throws Exception {
        kit.close();
    }
}
