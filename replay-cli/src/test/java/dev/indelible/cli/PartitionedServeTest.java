package dev.indelible.cli;

import static dev.indelible.ledger.testing.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.kafka.PartitionRule;
import dev.indelible.ledger.kafka.PartitionedJournalConfig;
import dev.indelible.ledger.kafka.testing.SharedKafka;
import dev.indelible.ledger.testing.ChildJvm;
import dev.indelible.server.IndelibleClient;
import dev.indelible.server.api.Event;
import dev.indelible.server.api.LedgerServiceGrpc;
import dev.indelible.server.api.SubscribeRequest;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code indelible serve} (a child JVM) over a real journal of three Kafka partitions: appends over
 * HTTP (one stream, NDJSON) and gRPC land in their stream's partition, dense in each; a reader of
 * every event resumes from the positions a page gave and a gRPC subscriber from an event's, each
 * event once; a cross-partition transaction is refused naming both streams with nothing written;
 * the projections answer from every partition; then status, verify and read over the partitions.
 */
@Tag("system")
class PartitionedServeTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PORTS = Pattern.compile("http://127\\.0\\.0\\.1:(\\d+), gRPC on 127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    Path tmp;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void shouldServeAJournalOfThreePartitions() throws Exception {
        String journal = "kafka://" + SharedKafka.cluster().bootstrapServers() + "/served-" + System.nanoTime() + "?partitions=3";
        PartitionRule rule = PartitionedJournalConfig.parse(journal).rule();
        Path data = tmp.resolve("node");
        Cli cli = new Cli(data);
        String token = cli.run("token", "create", "--journal", journal, "--name", "all", "--streams", "*",
            "--verbs", "append,read,query,status").expect(0).out().strip();
        Map<String, String> acknowledged = new TreeMap<>(); // "partition/global_seq" -> stream
        try (ChildJvm serve = ChildJvm.start(Main.class, tmp.resolve("serve.err"), "serve", "--data", data.toString(),
                "--journal", journal, "--port", "0")) {
            serve.awaitLines(1, 120);
            Matcher ports = PORTS.matcher(serve.lines().get(0));
            assertTrue(ports.find(), serve.lines().get(0));
            String base = "http://127.0.0.1:" + ports.group(1);
            int grpcPort = Integer.parseInt(ports.group(2));

            for (int user = 1; user <= 6; user++) { // one stream per request
                String stream = "selfies-user-" + user;
                JsonNode r = ok(post(base + "/streams/" + stream, token, selfie(user, "h" + user)));
                acknowledge(acknowledged, rule, stream, r.get("first_global_seq").asLong());
            }
            StringBuilder lines = new StringBuilder(); // NDJSON: many streams in one request
            for (int i = 0; i < 12; i++) {
                long user = 10 + i % 4;
                lines.append("{\"stream\":\"selfies-user-").append(user).append("\",").append(selfie(user, "n" + i).substring(1))
                    .append('\n');
            }
            HttpResponse<String> acks = post(base + "/append", token, lines.toString());
            assertEquals(200, acks.statusCode(), acks.body());
            for (String ack : acks.body().split("\n")) {
                JsonNode a = JSON.readTree(ack);
                acknowledge(acknowledged, rule, a.get("stream").asText(), a.get("global_seq").asLong());
            }
            try (IndelibleClient grpc = IndelibleClient.connect("127.0.0.1", grpcPort, token)) {
                for (int i = 0; i < 6; i++) {
                    String stream = "notes-" + i;
                    AppendResult.Appended a = (AppendResult.Appended) grpc.append(stream, ExpectedVersion.ANY,
                        List.of(EventData.json("note.added", ("{\"i\":" + i + "}").getBytes(StandardCharsets.UTF_8))));
                    acknowledge(acknowledged, rule, stream, a.firstGlobalSeq());
                }
            }
            assertEquals(24, acknowledged.size(), "24 appends at 24 positions");
            String head = ok(get(base + "/status", token)).get("head").asText();
            int total = denseInEveryPartition(base, token, head, acknowledged);

            refuseACrossPartitionTransaction(base, token, rule, head);
            readEveryEventOnceResuming(base, token, head, total);
            subscribeOverGrpcFromPositions(base, grpcPort, token, total);
            await(() -> {
                JsonNode rows = ok(get(base + "/projections/selfies?user=11", token));
                return rows.get("rows").size() == 3;
            }, Duration.ofSeconds(60));
            assertEquals(1, ok(get(base + "/projections/selfies?user=5", token)).get("rows").size());
            serve.terminate(); // SIGTERM: drains, closes every partition's writer
            int exit = serve.awaitExit(60);
            assertTrue(exit == 0 || exit == 143, "exit " + exit + "; stderr:\n" + serve.stderrText());
        }
        commandsOverThePartitions(cli, journal);
    }

    private void refuseACrossPartitionTransaction(String base, String token, PartitionRule rule, String head)
        throws Exception {
        int other = 2;
        while (rule.partitionOf("selfies-user-" + other) == rule.partitionOf("selfies-user-1")) {
            other++;
        }
        HttpResponse<String> refused = post(base + "/transactions", token, "{\"parts\": ["
            + "{\"stream\": \"selfies-user-1\", \"events\": [" + selfie(1, "t1") + "]},"
            + "{\"stream\": \"selfies-user-" + other + "\", \"events\": [" + selfie(other, "t2") + "]}]}");
        assertEquals(400, refused.statusCode(), refused.body());
        JsonNode error = JSON.readTree(refused.body());
        assertEquals("parts[1].stream", error.get("field").asText(), refused.body());
        assertTrue(error.get("message").asText().contains("'selfies-user-" + other + "' is in partition")
            && error.get("message").asText().contains("'selfies-user-1' is in partition"), refused.body());
        assertEquals(head, ok(get(base + "/status", token)).get("head").asText(), "nothing written");
    }

    private static void acknowledge(Map<String, String> acknowledged, PartitionRule rule, String stream, long globalSeq) {
        String position = rule.partitionOf(stream) + "/" + globalSeq;
        assertEquals(null, acknowledged.put(position, stream), "two appends at " + position);
    }

    /**
     * Every partition's global_seqs are 0 to its head, each acknowledged append there with its
     * stream, and every partition took some; the number of events.
     */
    private int denseInEveryPartition(String base, String token, String head, Map<String, String> acknowledged)
        throws Exception {
        JsonNode all = ok(get(base + "/events?from=0&limit=1000", token));
        assertEquals(head, all.get("next").asText(), "one page holds them all");
        Map<Integer, List<Long>> seqs = new TreeMap<>();
        Map<String, String> stored = new TreeMap<>();
        for (JsonNode e : all.get("events")) {
            seqs.computeIfAbsent(e.get("partition").asInt(), p -> new ArrayList<>()).add(e.get("global_seq").asLong());
            stored.put(e.get("partition").asInt() + "/" + e.get("global_seq").asLong(), e.get("stream").asText());
        }
        String[] heads = head.split(",");
        for (int p = 0; p < 3; p++) {
            List<Long> dense = java.util.stream.LongStream.range(0, Long.parseLong(heads[p])).boxed().toList();
            assertEquals(dense, seqs.getOrDefault(p, List.of()), "partition " + p + ": dense, each partition in its order");
            int partition = p;
            assertTrue(acknowledged.keySet().stream().anyMatch(k -> k.startsWith(partition + "/")), "partition " + p
                + " took appends: " + acknowledged);
        }
        acknowledged.forEach((position, stream) -> assertEquals(stream, stored.get(position), position));
        return all.get("events").size();
    }

    /** A page, then the rest from its next: every event once, and the next at the head. */
    private void readEveryEventOnceResuming(String base, String token, String head, int total) throws Exception {
        JsonNode first = ok(get(base + "/events?from=0&limit=7", token));
        assertEquals(7, first.get("events").size());
        Set<String> seen = new HashSet<>();
        first.get("events").forEach(e -> assertTrue(seen.add(e.get("partition") + "/" + e.get("global_seq")), e.toString()));
        JsonNode rest = ok(get(base + "/events?limit=1000&from=" + first.get("next").asText(), token));
        rest.get("events").forEach(e -> assertTrue(seen.add(e.get("partition") + "/" + e.get("global_seq")),
            "each event once: " + e));
        assertEquals(total, seen.size());
        assertEquals(head, rest.get("next").asText());
        HttpResponse<String> wrong = get(base + "/events?from=1,2", token);
        assertEquals(400, wrong.statusCode(), wrong.body());
        assertEquals("from", JSON.readTree(wrong.body()).get("field").asText());
    }

    /** Subscribes from the 5th event's positions, appends more, and sees every later event once. */
    private void subscribeOverGrpcFromPositions(String base, int grpcPort, String token, int total) throws Exception {
        JsonNode page = ok(get(base + "/events?from=0&limit=5", token));
        String from = page.get("events").get(4).get("next").asText();
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build();
        try {
            Metadata headers = new Metadata();
            headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
            Iterator<Event> events = LedgerServiceGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                .withDeadlineAfter(60, TimeUnit.SECONDS)
                .subscribe(SubscribeRequest.newBuilder().setFromPositions(from).build());
            for (int i = 0; i < 3; i++) {
                ok(post(base + "/streams/later-" + i, token, "{\"type\":\"note.added\",\"data\":{\"i\":" + i + "}}"));
            }
            Set<String> seen = new HashSet<>();
            page.get("events").forEach(e -> seen.add(e.get("partition") + "/" + e.get("global_seq")));
            while (seen.size() < total + 3) {
                Event e = events.next();
                assertTrue(seen.add(e.getPartition() + "/" + e.getGlobalSeq()), "each event once: " + e);
                assertTrue(!e.getNextPositions().isEmpty(), e.toString());
            }
        } finally {
            channel.shutdownNow();
        }
    }

    private static void commandsOverThePartitions(Cli cli, String journal) {
        Cli.Result status = cli.run("status", "--journal", journal).expect(0);
        assertTrue(status.out().contains("in 3 partitions"), status.out());
        Cli.Result verify = cli.run("verify", "--journal", journal).expect(0);
        assertTrue(verify.out().contains("verify: ok"), verify.out());
        Cli.Result read = cli.run("read", "--journal", journal, "--limit", "4").expect(0);
        assertEquals(4, read.lines().size(), read.out());
        String next = read.lines().get(3).replaceAll(".*\"next\":\"([0-9,]+)\".*", "$1");
        Cli.Result rest = cli.run("read", "--journal", journal, "--from", next).expect(0);
        Cli.Result all = cli.run("read", "--journal", journal).expect(0);
        assertEquals(all.lines().size(), read.lines().size() + rest.lines().size(), "read resumes from a line's next");
        exportAndVerifyPartitionByPartition(cli, journal);
    }

    /**
     * export-journal copies every partition into the same partition of a new topic, each event keeping
     * its global_seq; verify --compare finds them equal partition by partition and --projections checks
     * each projection at its checkpoint in every partition; a copy into another partition count, other
     * keys or a journal holding events is refused naming --to.
     */
    private static void exportAndVerifyPartitionByPartition(Cli cli, String journal) {
        String copy = journal.replace("/served-", "/copied-");
        Cli.Result exported = cli.run("export-journal", "--journal", journal, "--to", copy).expect(0);
        assertTrue(exported.out().contains("partition 2: target digest") && !exported.out().contains("DIFFERENT"),
            exported.out());
        Cli.Result verified = cli.run("verify", "--journal", journal, "--projections", "--compare", copy).expect(0);
        for (String line : List.of("compare: partition 0: ", "compare: partition 2: ", "selfies: digest ",
            "at positions ", "rules: ", "community: no orphans")) {
            assertTrue(verified.out().contains(line), line + " in:\n" + verified.out());
        }
        Cli.Result full = cli.run("export-journal", "--journal", journal, "--to", copy).expect(Main.USAGE);
        assertTrue(full.err().contains("already holds"), full.err());
        Cli.Result oneJournal = cli.run("export-journal", "--journal", journal, "--to", "elsewhere").expect(Main.USAGE);
        assertTrue(oneJournal.err().contains("--to: ") && oneJournal.err().contains("repartitioning"), oneJournal.err());
        Cli.Result otherKeys = cli.run("export-journal", "--journal", journal, "--to",
            copy.replace("/copied-", "/rekeyed-") + "&partition.keys=").expect(Main.USAGE);
        assertTrue(otherKeys.err().contains("--to: partition.keys"), otherKeys.err());
        Cli.Result compareOne = cli.run("verify", "--journal", journal, "--compare", "elsewhere").expect(Main.USAGE);
        assertTrue(compareOne.err().contains("--compare: "), compareOne.err());
    }

    private static String selfie(long user, String fileId) {
        return "{\"type\":\"selfie.submitted\",\"data\":{\"user_id\":" + user + ",\"media_type\":\"photo\",\"file_id\":\""
            + fileId + "\",\"submitted_at\":\"2025-11-04T12:07:00Z\"}}";
    }

    private HttpResponse<String> post(String url, String token, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
            .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
            HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String url, String token) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
            .timeout(Duration.ofSeconds(60)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode ok(HttpResponse<String> r) {
        assertEquals(200, r.statusCode(), r.body());
        try {
            return JSON.readTree(r.body());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
