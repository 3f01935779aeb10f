package dev.indelible.ledger.kafka.testing;

import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.Durability;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.kafka.KafkaJournalConfig;
import dev.indelible.ledger.kafka.KafkaLedger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Durable appends per second on the embedded journal (SYNC group commit) and on local 1-broker and
 * 3-broker clusters, in one run: 4 producers, 1,024 appends in flight each, 128-byte payloads. A
 * measurement for the notes, not a test and not a JMH benchmark (the brokers are child JVMs on the
 * same cores).
 *
 * <p>Run: {@code ./mvnw -pl ledger-kafka exec:exec -Dexec.classpathScope=test
 * -Dexec.mainClass=dev.indelible.ledger.kafka.testing.KafkaThroughput [-Dexec.args=EVENTS]}
 */
public final class KafkaThroughput {
    private static final int PRODUCERS = 4;
    private static final int IN_FLIGHT = 1_024;

    private KafkaThroughput() {
    }

    public static void main(String[] args) throws Exception {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        Path tmp = Files.createTempDirectory("kafka-throughput");
        LedgerConfig sync = LedgerConfig.builder().durability(Durability.SYNC).build();
        double embedded = measure("embedded (SYNC)", events, n -> Ledger.open(tmp.resolve("embedded-" + n), sync));
        double[] kafka = new double[2];
        int[] sizes = {1, 3};
        for (int i = 0; i < sizes.length; i++) {
            int brokers = sizes[i];
            try (KafkaCluster cluster = KafkaCluster.start(brokers)) {
                kafka[i] = measure(brokers + "-broker Kafka", events, n -> KafkaLedger.open(
                    KafkaJournalConfig.of(cluster.bootstrapServers(), "throughput-" + n), tmp.resolve("k" + brokers + n), sync));
            }
        }
        System.out.printf("ratios: 1-broker %.3fx embedded, 3-broker %.3fx embedded%n", kafka[0] / embedded,
            kafka[1] / embedded);
        System.exit(0);
    }

    /** Warms up on one ledger, then measures on a fresh one; returns durable appends per second. */
    private static double measure(String label, int events, Function<String, Ledger> open) throws Exception {
        try (Ledger warm = open.apply("warm")) {
            run(warm, events / 5);
        }
        try (Ledger ledger = open.apply("run")) {
            long started = System.nanoTime();
            run(ledger, events);
            double seconds = (System.nanoTime() - started) / 1e9;
            double rate = events / seconds;
            System.out.printf("%-18s %,d durable appends in %.2f s: %,.0f/s (%,d commits/syncs)%n", label, events,
                seconds, rate, ledger.metrics().syncs());
            return rate;
        }
    }

    private static void run(Ledger ledger, int events) throws Exception {
        List<String> streams = new ArrayList<>();
        for (int p = 0; p < PRODUCERS; p++) {
            streams.add("producer-" + p);
        }
        produce(streams, events, IN_FLIGHT, ledger::appendAsync);
    }

    /** Appends {@code events} 128-byte events, a thread per stream, each keeping {@code inFlight} unanswered. */
    static void produce(List<String> streams, int events, int inFlight, AsyncAppend append) throws InterruptedException {
        byte[] payload = new byte[128];
        List<Thread> threads = new ArrayList<>();
        for (String stream : streams) {
            Thread t = new Thread(() -> {
                ArrayDeque<CompletableFuture<AppendResult>> window = new ArrayDeque<>();
                for (int i = 0; i < events / streams.size(); i++) {
                    window.add(append.appendAsync(stream, ExpectedVersion.ANY, EventData.protobuf("selfie.submitted", payload)));
                    if (window.size() >= inFlight) {
                        window.poll().join();
                    }
                }
                window.forEach(CompletableFuture::join);
            });
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
    }

    /** A ledger's, or a partitioned ledger's, {@code appendAsync}. */
    @FunctionalInterface
    interface AsyncAppend {
        CompletableFuture<AppendResult> appendAsync(String stream, long expectedVersion, EventData event);
    }
}
