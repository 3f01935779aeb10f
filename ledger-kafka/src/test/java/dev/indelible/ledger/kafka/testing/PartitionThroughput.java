package dev.indelible.ledger.kafka.testing;

import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.kafka.KafkaJournalConfig;
import dev.indelible.ledger.kafka.PartitionRule;
import dev.indelible.ledger.kafka.PartitionedJournalConfig;
import dev.indelible.ledger.kafka.PartitionedLedger;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Durable appends per second through a {@link PartitionedLedger} over 1 and over 3 partitions of
 * a local 1-broker cluster, alternated (which goes first swaps every round), in one run: 6 producers (two per partition when there are
 * three), 512 async appends in flight each, 128-byte payloads. Prints the ratio of P=3 to P=1, and
 * the CPU the writer's JVM and the broker used against what two cores give, to say whether the
 * cores were the limit. A measurement for the notes, not a test.
 *
 * <p>Run with this clone's classes (not another clone's snapshot jars): see ledger-kafka/README.md,
 * "Measured", for the commands; arguments {@code [EVENTS [ROUNDS]]}, default 100,000 and 2.
 */
public final class PartitionThroughput {
    private static final int PRODUCERS = 6;
    private static final int IN_FLIGHT = 512;

    private PartitionThroughput() {
    }

    public static void main(String[] args) throws Exception {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        Path tmp = Files.createTempDirectory("partition-throughput");
        int cores = Runtime.getRuntime().availableProcessors();
        try (KafkaCluster cluster = KafkaCluster.start(1)) {
            double[] sums = new double[2];
            int[] counts = {1, 3};
            measure(cluster, tmp, "warm", 3, events / 5, cores);
            for (int round = 0; round < rounds; round++) {
                // P=1 first in even rounds, P=3 first in odd ones: neither always runs the warmer JVM.
                for (int k = 0; k < counts.length; k++) {
                    int i = round % 2 == 0 ? k : counts.length - 1 - k;
                    sums[i] += measure(cluster, tmp, "r" + round, counts[i], events, cores);
                }
            }
            System.out.printf("ratio: P=3 %.2fx P=1 (mean of %d alternated rounds)%n", sums[1] / sums[0], rounds);
        }
        System.exit(0);
    }

    /** Returns durable appends per second over {@code partitions} partitions. */
    private static double measure(KafkaCluster cluster, Path tmp, String name, int partitions, int events, int cores)
        throws Exception {
        KafkaJournalConfig topic = KafkaJournalConfig.of(cluster.bootstrapServers(), "throughput-" + name + "-p" + partitions);
        PartitionedJournalConfig journal = new PartitionedJournalConfig(topic, PartitionRule.of(partitions, ""));
        try (PartitionedLedger ledger = PartitionedLedger.open(journal, tmp.resolve(name + "-p" + partitions), LedgerConfig.defaults())) {
            List<String> streams = spread(journal.rule());
            long ownBefore = ownCpu();
            long brokerBefore = brokerCpu();
            long started = System.nanoTime();
            run(ledger, streams, events);
            double seconds = (System.nanoTime() - started) / 1e9;
            double own = (ownCpu() - ownBefore) / 1e9;
            double broker = (brokerCpu() - brokerBefore) / 1e9;
            double cpuSeconds = own + broker;
            double rate = events / seconds;
            long commits = 0;
            for (int p = 0; p < partitions; p++) {
                commits += ledger.partition(p).metrics().syncs();
            }
            System.out.printf("%-5s P=%d  %,d durable appends in %.2f s: %,.0f/s (%,d commits); CPU writers %.1f s +"
                    + " broker %.1f s of %.1f s on %d cores (%.0f%%)%n", name, partitions, events, seconds, rate, commits,
                own, broker, seconds * cores, cores, 100 * cpuSeconds / (seconds * cores));
            return rate;
        }
    }

    /** {@code PRODUCERS} stream names, as many in each partition. */
    private static List<String> spread(PartitionRule rule) {
        List<String> streams = new ArrayList<>();
        int[] perPartition = new int[rule.partitions()];
        for (int i = 0; streams.size() < PRODUCERS; i++) {
            String stream = "producer-" + i;
            int p = rule.partitionOf(stream);
            if (perPartition[p] < PRODUCERS / rule.partitions()) {
                perPartition[p]++;
                streams.add(stream);
            }
        }
        return streams;
    }

    private static void run(PartitionedLedger ledger, List<String> streams, int events) throws Exception {
        KafkaThroughput.produce(streams, events, IN_FLIGHT, ledger::appendAsync);
    }

    /** CPU nanoseconds of this JVM (the writers and producers). */
    private static long ownCpu() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** CPU nanoseconds of this JVM's children (the broker). */
    private static long brokerCpu() {
        Duration total = Duration.ZERO;
        for (ProcessHandle child : ProcessHandle.current().descendants().toList()) {
            total = total.plus(child.info().totalCpuDuration().orElse(Duration.ZERO));
        }
        return total.toNanos();
    }
}
