package dev.indelible.ledger.kafka.testing;

import kafka.Kafka;
import kafka.tools.StorageTool;

/**
 * The main class of one broker or controller process of {@link KafkaCluster}: formats its log
 * directory for the cluster (once; a restart finds it formatted), then runs Kafka's own server
 * entry point, {@code kafka.Kafka}, on the properties file, exactly as {@code kafka-server-start.sh}.
 *
 * <p>Usage: {@code KafkaNode SERVER_PROPERTIES CLUSTER_ID}
 */
public final class KafkaNode {
    private KafkaNode() {
    }

    public static void main(String[] args) {
        int formatted = StorageTool.execute(new String[] {"format", "--config", args[0], "--cluster-id", args[1],
            "--ignore-formatted"}, System.err);
        if (formatted != 0) {
            throw new IllegalStateException("kafka-storage format of " + args[0] + " exited " + formatted);
        }
        Kafka.main(new String[] {args[0]});
    }
}
