package dev.indelible.cli;

import static dev.indelible.ledger.testing.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.RecordedEvent;
import dev.indelible.ledger.kafka.PartitionRule;
import dev.indelible.ledger.kafka.PartitionedJournalConfig;
import dev.indelible.ledger.kafka.PartitionedLedger;
import dev.indelible.ledger.kafka.testing.SharedKafka;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two {@code serve --cluster} nodes (child JVMs) over a journal of three partitions on the shared
 * broker: the writers are spread over them (2 and 1, read from {@code /status}); a producer per
 * node appends to streams of every partition, each append retried with its event id until
 * acknowledged (through the other node once its own is gone); a cross-partition transaction is
 * refused naming both streams; an erasure sent to the node not writing partition 0 is forwarded
 * there and answered as its writer answered. Then the node writing two partitions is killed with {@code kill -9}:
 * the other takes over all three, every acknowledged event is in its partition once, each
 * partition dense, verify clean. Prints the takeover times.
 */
@Tag("system")
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class PartitionedClusterTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PARTITIONS = 3;
    private static final int EVENTS = 15; // per producer, over a stream of each partition in turn
    private static final int ACKED_BEFORE_THE_KILL = 6; // per producer: two in each partition
    private static final String TYPE = "test.appended";

    @TempDir
    Path tmp;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<ClusterServeNode> nodes = new ArrayList<>();
    private String token;

    @Test
    void shouldSpreadTheWritersAndMoveThemToTheNodeLeftWhenOneIsKilled() throws Exception {
        String journal = "kafka://" + SharedKafka.cluster().bootstrapServers() + "/parts-" + System.nanoTime()
            + "?partitions=" + PARTITIONS;
        PartitionRule rule = PartitionedJournalConfig.parse(journal).rule();
        List<String> streams = oneStreamPerPartition(rule);
        Path tokenFile = ClusterServeNode.tokenOnEveryNode(tmp, 2);
        token = Files.readString(tokenFile);
        long began = System.nanoTime();
        List<Producer> producers = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                nodes.add(ClusterServeNode.start(i, tmp, journal, tokenFile, List.of("-Xmx256m"))); // ChildJvm starts it with C1 only: soonest on a busy machine
            }
            for (ClusterServeNode n : nodes) {
                n.awaitServing();
            }
            double serving = since(began);
            await(this::spread, Duration.ofSeconds(60), this::seen);
            Map<String, List<Integer>> held = held(nodes.get(0).writers(token));
            System.out.printf("nodes serving after %.1f s, writers spread %.1f s later: %s%n", serving, since(began) - serving,
                held);
            refuseACrossPartitionTransaction(nodes.get(1), streams);
            eraseThroughTheNodeNotWritingPartitionZero(nodes.get(0).writers(token).get(0));

            for (int i = 0; i < 2; i++) {
                producers.add(new Producer(i, streams));
            }
            await(() -> producers.stream().allMatch(p -> p.acks.size() >= ACKED_BEFORE_THE_KILL), Duration.ofSeconds(60),
                this::seen);
            ClusterServeNode killed = nodes.stream().filter(n -> held.get(n.advertised).size() == 2).findFirst().orElseThrow();
            ClusterServeNode left = nodes.get(1 - killed.index);
            long killedAt = System.nanoTime();
            killed.jvm.kill9();
            double[] tookOver = new double[PARTITIONS];
            await(() -> allWrittenBy(left, killedAt, tookOver), Duration.ofSeconds(60), this::seen);
            for (Producer p : producers) {
                p.thread.join(TimeUnit.SECONDS.toMillis(90));
                assertNull(p.failure, "producer " + p.index + ": " + p.failure);
            }
            double acked = since(began);
            System.out.printf("takeover after kill -9 of the node writing partitions %s: %s; %d appends acknowledged,"
                + " %d of them answered as duplicates of a retry%n", held.get(killed.advertised), held.get(killed.advertised)
                    .stream().map(p -> "partition " + p + " in " + tookOver[p] + " s").collect(Collectors.joining(", ")),
                producers.stream().mapToInt(p -> p.acks.size()).sum(),
                producers.stream().mapToLong(p -> p.acks.stream().filter(Ack::duplicate).count()).sum());
            checkJournal(PartitionedJournalConfig.parse(journal), rule, producers);
            Cli.Result verify = new Cli(tmp.resolve("verifier")).run("verify", "--journal", journal).expect(0);
            assertTrue(verify.out().contains("verify: ok"), verify.out());
            System.out.printf("every append acknowledged after %.1f s, the journal checked %.1f s later%n", acked,
                since(began) - acked);
        } finally {
            producers.forEach(p -> p.thread.interrupt());
            nodes.forEach(ClusterServeNode::close);
        }
    }

    private static double since(long nanos) {
        return (System.nanoTime() - nanos) / 1e9;
    }

    /** Both nodes name the same writer for every partition, and each node writes at least one. */
    private boolean spread() throws Exception {
        List<String> first = nodes.get(0).writers(token);
        return first.equals(nodes.get(1).writers(token)) && !first.contains(null)
            && Set.copyOf(first).equals(Set.of(nodes.get(0).advertised, nodes.get(1).advertised));
    }

    /** Whether {@code left} writes every partition by its own account, noting when each became its. */
    private boolean allWrittenBy(ClusterServeNode left, long since, double[] tookOver) throws Exception {
        List<String> writers = left.writers(token);
        for (int p = 0; p < PARTITIONS; p++) {
            if (left.advertised.equals(writers.get(p)) && tookOver[p] == 0) {
                tookOver[p] = Math.round((System.nanoTime() - since) / 1e8) / 10.0;
            }
        }
        return writers.stream().allMatch(left.advertised::equals);
    }

    private static Map<String, List<Integer>> held(List<String> writers) {
        Map<String, List<Integer>> held = new TreeMap<>();
        for (int p = 0; p < writers.size(); p++) {
            held.computeIfAbsent(writers.get(p), w -> new ArrayList<>()).add(p);
        }
        return held;
    }

    private void refuseACrossPartitionTransaction(ClusterServeNode node, List<String> streams) throws Exception {
        HttpResponse<String> refused = post(node, "/transactions", "{\"parts\": [{\"stream\": \"" + streams.get(0)
            + "\", \"events\": [" + event(UUID.randomUUID()) + "]}, {\"stream\": \"" + streams.get(1) + "\", \"events\": ["
            + event(UUID.randomUUID()) + "]}]}");
        assertEquals(400, refused.statusCode(), refused.body());
        JsonNode error = JSON.readTree(refused.body());
        assertEquals("parts[1].stream", error.get("field").asText(), refused.body());
        assertTrue(error.get("message").asText().contains("'" + streams.get(0) + "'")
            && error.get("message").asText().contains("'" + streams.get(1) + "'"), refused.body());
    }

    /**
     * An erasure's {@code ops.erase} goes to partition 0: sent to the node that does not write it,
     * it is forwarded to the one that does, and answered as that writer answered.
     */
    private void eraseThroughTheNodeNotWritingPartitionZero(String writerOfZero) throws Exception {
        ClusterServeNode writer = nodes.stream().filter(n -> n.advertised.equals(writerOfZero)).findFirst().orElseThrow();
        ClusterServeNode other = nodes.get(1 - writer.index);
        HttpResponse<String> registered = post(other, "/streams/email-alice@example.com?expected_version=new", "{\"type\":"
            + " \"account.registered\", \"data\": {\"account_id\": \"acc-1\", \"email\": \"alice@example.com\","
            + " \"display_name\": \"Alice Liddell\"}}");
        assertEquals(200, registered.statusCode(), registered.body());
        // The node refuses a subject whose key it has not read yet (404, nothing done): it reads the
        // keys topic beside the journal, a fetch behind the writer that sealed the account.
        HttpResponse<String>[] erased = new HttpResponse[1];
        await(() -> (erased[0] = post(other, "/admin/erase?subject=account-acc-1", "")).statusCode() != 404,
            Duration.ofSeconds(30), () -> erased[0].body() + seen());
        assertEquals(200, erased[0].statusCode(), erased[0].body());
        assertEquals("{\"subject\":\"account-acc-1\",\"erased\":true,\"already_erased\":false}", erased[0].body());
        for (ClusterServeNode n : List.of(other, writer)) {
            HttpResponse<String> again = post(n, "/admin/erase?subject=account-acc-1", "");
            assertEquals("{\"subject\":\"account-acc-1\",\"erased\":true,\"already_erased\":true}", again.body(),
                "a retry through node " + n.index);
        }
    }

    /** Every acknowledged event once, where its acknowledgement said, no other; every partition dense. */
    private void checkJournal(PartitionedJournalConfig journal, PartitionRule rule, List<Producer> producers) {
        Map<String, String> acked = new HashMap<>(); // event id -> partition/global_seq
        for (Producer p : producers) {
            for (Ack a : p.acks) {
                acked.put(a.eventId, rule.partitionOf(a.stream) + "/" + a.globalSeq);
            }
        }
        assertEquals(2 * EVENTS, acked.size(), "acknowledged events");
        Map<String, String> stored = new HashMap<>();
        try (PartitionedLedger reader = PartitionedLedger.openReadOnly(journal, tmp.resolve("check"), LedgerConfig.defaults())) {
            for (int p = 0; p < PARTITIONS; p++) {
                List<RecordedEvent> events = reader.partition(p).read(0, 10_000);
                for (int i = 0; i < events.size(); i++) {
                    RecordedEvent e = events.get(i);
                    assertEquals(i, e.globalSeq(), "partition " + p + ": dense global_seq");
                    if (e.type().equals(TYPE)) {
                        assertNull(stored.put(e.eventId().toString(), p + "/" + e.globalSeq()), "stored twice: " + e.eventId());
                    }
                }
            }
        }
        assertEquals(acked, stored, "the events stored are those acknowledged, where acknowledged");
    }

    /** A stream in each partition, partition p's at index p. */
    private static List<String> oneStreamPerPartition(PartitionRule rule) {
        String[] streams = new String[PARTITIONS];
        for (int i = 0; java.util.Arrays.asList(streams).contains(null); i++) {
            String stream = "things-" + i;
            if (streams[rule.partitionOf(stream)] == null) {
                streams[rule.partitionOf(stream)] = stream;
            }
        }
        return List.of(streams);
    }

    private static String event(UUID id) {
        return "{\"type\": \"" + TYPE + "\", \"data\": {}, \"event_id\": \"" + id + "\"}";
    }

    private HttpResponse<String> post(ClusterServeNode node, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort + path))
            .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(20))
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String seen() {
        return nodes.stream().map(n -> "\n--- node " + n.index + ": " + n.stderrTail()).collect(Collectors.joining());
    }

    private record Ack(String eventId, String stream, long globalSeq, boolean duplicate) {
    }

    /**
     * Appends its events one at a time through its node, each retried with its event id until
     * acknowledged: after a 503 (no writer yet) on the same node, after a failed connection on the
     * other one, as a client behind a load balancer would.
     */
    private final class Producer {
        final int index;
        final List<Ack> acks = new CopyOnWriteArrayList<>();
        final Thread thread;
        volatile Throwable failure;

        Producer(int index, List<String> streams) {
            this.index = index;
            this.thread = new Thread(() -> {
                try {
                    for (int i = 0; i < EVENTS; i++) {
                        acks.add(append(streams.get(i % PARTITIONS), UUID.randomUUID()));
                    }
                } catch (Throwable e) {
                    failure = e;
                }
            }, "producer-" + index);
            thread.start();
        }

        private Ack append(String stream, UUID id) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            int node = index;
            String last = "";
            while (System.nanoTime() < deadline) {
                try {
                    HttpResponse<String> r = post(nodes.get(node), "/streams/" + stream, event(id));
                    if (r.statusCode() == 200) {
                        JsonNode a = JSON.readTree(r.body());
                        return new Ack(id.toString(), stream, a.get("first_global_seq").asLong(), a.get("duplicate").asBoolean());
                    }
                    assertEquals(503, r.statusCode(), r.body()); // only "unavailable" is retried
                    last = r.body();
                } catch (IOException gone) {
                    node = 1 - node;
                    last = gone.toString();
                }
                TimeUnit.MILLISECONDS.sleep(100); // a client's back-off between retries, not a wait for a condition
            }
            throw new AssertionError("not acknowledged within 60 s: " + stream + " " + id + ": " + last);
        }
    }
}
