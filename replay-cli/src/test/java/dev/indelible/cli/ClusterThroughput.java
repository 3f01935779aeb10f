package dev.indelible.cli;

import static dev.indelible.ledger.testing.Await.await;

import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.kafka.testing.KafkaCluster;
import dev.indelible.ledger.testing.ChildJvm;
import dev.indelible.server.IndelibleClient;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Durable appends per second through a cluster of two {@code serve --cluster} nodes (child JVMs,
 * no projections) on a local 1-broker Kafka, over a journal of one partition and over three
 * (writers spread 2 and 1), alternated round by round (which goes first swaps): producers in this
 * JVM send async appends over gRPC ({@link IndelibleClient}), half through each node, to streams
 * of every partition, {@value #IN_FLIGHT} in flight each, 128-byte JSON payloads. Prints each
 * run's rate and the CPU every process used (this JVM, the broker, the nodes) per append and
 * against what the cores give, so it says whether the cores were the limit. A measurement for the
 * notes, not a test; the command is in ledger-kafka/README.md, "Measured". Arguments
 * {@code [EVENTS [ROUNDS]]}, default 20,000 and 2.
 */
public final class ClusterThroughput {
    private static final int PRODUCERS = 6; // 3 through each node
    private static final int IN_FLIGHT = 256;
    private static final long IDLE_MILLIS = 5_000;

    private ClusterThroughput() {
    }

    public static void main(String[] args) throws Exception {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        Path tmp = Files.createTempDirectory("cluster-throughput");
        int[] counts = {1, 3};
        double[] sums = new double[2];
        try (KafkaCluster kafka = KafkaCluster.start(1)) {
            for (int round = 0; round < rounds; round++) {
                for (int k = 0; k < 2; k++) {
                    int i = round % 2 == 0 ? k : 1 - k;
                    sums[i] += measure(kafka, tmp.resolve("r" + round + "-p" + counts[i]), "r" + round, counts[i], events);
                }
            }
        }
        System.out.printf("ratio: P=3 %.2fx P=1 (mean of %d alternated rounds)%n", sums[1] / sums[0], rounds);
        System.exit(0);
    }

    /** Durable appends per second over {@code partitions} partitions, after a warm-up of a fifth as many. */
    private static double measure(KafkaCluster kafka, Path dir, String name, int partitions, int events) throws Exception {
        Files.createDirectories(dir);
        String journal = "kafka://" + kafka.bootstrapServers() + "/throughput-" + name + "-p" + partitions
            + (partitions > 1 ? "?partitions=" + partitions : "");
        Path tokenFile = ClusterServeNode.tokenOnEveryNode(dir, 2);
        String token = Files.readString(tokenFile);
        List<ClusterServeNode> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                nodes.add(ClusterServeNode.start(i, dir, journal, tokenFile, List.of("-Xmx512m", ChildJvm.FULL_JIT)));
            }
            for (ClusterServeNode n : nodes) {
                n.awaitServing();
            }
            await(() -> settled(nodes, token, partitions), Duration.ofSeconds(120));
            long idleFrom = cpu();
            long idleStarted = System.nanoTime();
            Thread.sleep(IDLE_MILLIS); // what the processes cost while nothing is appended
            double idle = (cpu() - idleFrom) / (double) (System.nanoTime() - idleStarted);
            List<IndelibleClient> clients = new ArrayList<>();
            for (ClusterServeNode n : nodes) {
                clients.add(IndelibleClient.connect("127.0.0.1", n.grpcPort, token));
            }
            try {
                produce(clients, events / 5);
                long commitsBefore = commits(nodes, token);
                long cpuBefore = cpu();
                long started = System.nanoTime();
                produce(clients, events);
                double seconds = (System.nanoTime() - started) / 1e9;
                double cpuSeconds = (cpu() - cpuBefore) / 1e9;
                long commits = commits(nodes, token) - commitsBefore;
                int cores = Runtime.getRuntime().availableProcessors();
                double rate = events / seconds;
                System.out.printf("%-3s P=%d  %,d durable appends in %.2f s: %,.0f/s (%,d commits); writers %s; CPU of"
                        + " every process %.1f s of %.1f s on %d cores (%.0f%%), %.0f us per append; idle before: %.0f%% of"
                        + " one core%n", name, partitions, events, seconds, rate, commits, nodes.get(0).writers(token),
                    cpuSeconds, seconds * cores, cores, 100 * cpuSeconds / (seconds * cores), 1e6 * cpuSeconds / events, 100 * idle);
                return rate;
            } finally {
                clients.forEach(IndelibleClient::close);
            }
        } finally {
            nodes.forEach(ClusterServeNode::close);
        }
    }

    private static long commits(List<ClusterServeNode> nodes, String token) throws Exception {
        long commits = 0;
        for (ClusterServeNode n : nodes) {
            commits += n.commits(token);
        }
        return commits;
    }

    /** Every partition has a writer both nodes agree on, and over several partitions both nodes write. */
    private static boolean settled(List<ClusterServeNode> nodes, String token, int partitions) throws Exception {
        List<String> writers = nodes.get(0).writers(token);
        return writers.size() == partitions && !writers.contains(null) && writers.equals(nodes.get(1).writers(token))
            && (partitions == 1 || new HashSet<>(writers).size() == 2);
    }

    /** {@code events} appends from {@value #PRODUCERS} threads, each through one node, each over streams of every partition. */
    private static void produce(List<IndelibleClient> clients, int events) throws InterruptedException {
        byte[] payload = ("{\"pad\":\"" + "x".repeat(118) + "\"}").getBytes(StandardCharsets.UTF_8);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < PRODUCERS; t++) {
            IndelibleClient client = clients.get(t % clients.size());
            int producer = t;
            Thread thread = new Thread(() -> {
                ArrayDeque<CompletableFuture<AppendResult>> window = new ArrayDeque<>();
                for (int i = 0; i < events / PRODUCERS; i++) {
                    window.add(client.appendAsync("load-" + producer + "-" + i % 16, ExpectedVersion.ANY,
                        EventData.json("test.appended", payload)));
                    if (window.size() >= IN_FLIGHT) {
                        window.poll().join();
                    }
                }
                window.forEach(CompletableFuture::join);
            }, "producer-" + t);
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join();
        }
    }

    /** CPU nanoseconds of this JVM and its children (the broker, the nodes). */
    private static long cpu() {
        long total = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
            .getProcessCpuTime();
        for (ProcessHandle child : ProcessHandle.current().descendants().toList()) {
            total += child.info().totalCpuDuration().orElse(Duration.ZERO).toNanos();
        }
        return total;
    }
}
