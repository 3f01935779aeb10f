package dev.indelible.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.indelible.ledger.InvalidEventException;
import dev.indelible.ledger.PartitionPositions;
import dev.indelible.projections.ProjectionEngine;
import dev.indelible.projections.reference.ReferenceProjections;
import dev.indelible.server.api.Event;
import dev.indelible.server.api.LedgerServiceGrpc;
import dev.indelible.server.api.ReadRequest;
import dev.indelible.server.api.SubscribeRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server over a journal of three partitions ({@link ThreePartitions}): appends go to their
 * stream's partition, each partition's {@code global_seq} dense; reads and subscriptions of every
 * event give each event's partition and resume from positions, one per partition, each event once;
 * a cross-partition transaction is refused with nothing written; the projections follow every
 * partition. (ledger-kafka's partitions: replay-cli's PartitionedServeTest.)
 */
class PartitionedServerTest {
    @TempDir
    Path dir;

    private ThreePartitions journal;
    private ProjectionEngine engine;
    private IndelibleServer server;
    private Http http;
    private String token;

    @BeforeEach
    void start() {
        journal = new ThreePartitions(dir);
        engine = ProjectionEngine.start(journal.ledgers(), dir.resolve("projections"), ReferenceProjections.all());
        Tokens tokens = Tokens.open(dir);
        token = tokens.create("all", List.of("*"), java.util.EnumSet.of(Verb.APPEND, Verb.READ, Verb.QUERY, Verb.STATUS))
            .secret();
        server = IndelibleServer.start(journal, engine, tokens, ServerConfig.defaults().withBind("127.0.0.1", 0));
        http = new Http(server.port());
    }

    @AfterEach
    void stop() {
        server.close();
        engine.close();
        journal.close();
    }

    @Test
    void shouldAppendToEachStreamsPartitionWithDensePositionsAndReadItThere() {
        for (int user = 1; user <= 6; user++) {
            Http.Response r = http.post("/streams/selfies-user-" + user, token, Http.selfie(user, "f" + user));
            assertEquals(200, r.status(), r.body());
            assertEquals(user <= 3 ? 0 : 1, r.json().get("first_global_seq").asLong(), "dense within partition " + user % 3);
        }
        for (int p = 0; p < 3; p++) {
            assertEquals(2, journal.ledgers().get(p).head(), "partition " + p);
        }
        assertEquals(1, journal.ledgers().get(1).readStream("selfies-user-4", 0, 10).size());
        JsonNode stream = http.get("/streams/selfies-user-5", token).json();
        assertEquals(1, stream.get("events").size(), stream.toString());
        JsonNode status = http.get("/status", token).json();
        assertEquals("2,2,2", status.get("head").asText(), status.toString());
        assertEquals(3, status.get("partitions").asInt(), status.toString());
        assertTrue(engine.awaitPosition("selfies", 2, 1, Duration.ofSeconds(30)), "the projections follow partition 2");
        JsonNode rows = http.get("/projections/selfies?user=5", token).json();
        assertEquals(1, rows.get("rows").size(), rows.toString());
    }

    @Test
    void shouldReadEveryPartitionAndResumeFromThePositionsEachEventOnce() {
        Set<String> appended = appendAcrossPartitions(9);
        JsonNode first = http.get("/events?from=0&limit=4", token).json();
        assertEquals(4, first.get("events").size(), first.toString());
        assertEquals("3,3,3", first.get("head").asText());
        JsonNode last = first.get("events").get(3);
        assertEquals(first.get("next").asText(), last.get("next").asText(), "the page ends past its last event");
        assertTrue(last.has("partition"), last.toString());

        Set<String> seen = new HashSet<>();
        first.get("events").forEach(e -> assertTrue(seen.add(e.get("stream").asText() + "@" + e.get("stream_version"))));
        JsonNode rest = http.get("/events?limit=100&from=" + first.get("next").asText(), token).json();
        rest.get("events").forEach(e -> assertTrue(seen.add(e.get("stream").asText() + "@" + e.get("stream_version")),
            "each event once: " + e));
        assertEquals(appended, seen);
        assertEquals("3,3,3", rest.get("next").asText());
    }

    @Test
    void shouldRefuseAMalformedOrWrongLengthPositionNamingFrom() {
        for (String from : List.of("3,3", "1,2,3,4", "1,x,3", "-1,0,0", "5")) {
            Http.Response refused = http.get("/events?from=" + from, token);
            assertEquals(400, refused.status(), from + ": " + refused.body());
            assertEquals("from", refused.json().get("field").asText(), refused.body());
        }
        assertEquals(200, http.get("/events?from=0", token).status(), "0 is the start of every partition");
        assertEquals(200, http.get("/events?from=0,0,0", token).status());
    }

    @Test
    void shouldRefuseACrossPartitionTransactionNamingBothStreamsAndWriteNothing() {
        Http.Response refused = http.post("/transactions", token, "{\"parts\": ["
            + "{\"stream\": \"orders-1\", \"events\": [{\"type\": \"order.placed\", \"data\": {}}]},"
            + "{\"stream\": \"stock-2\", \"events\": [{\"type\": \"stock.taken\", \"data\": {}}]}]}");
        assertEquals(400, refused.status(), refused.body());
        assertEquals("parts[1].stream", refused.json().get("field").asText(), refused.body());
        assertTrue(refused.body().contains("orders-1") && refused.body().contains("stock-2"), refused.body());
        assertEquals(PartitionPositions.of(0, 0, 0), journal.head(), "nothing written in any partition");
    }

    @Test
    void shouldReadAndSubscribeOverGrpcFromPositionsEachEventOnce() {
        Set<String> appended = appendAcrossPartitions(6);
        ManagedChannel channel = GrpcChannels.open(server.grpcPort());
        try {
            LedgerServiceGrpc.LedgerServiceBlockingStub ledger = GrpcChannels.ledger(channel, token);
            List<Event> page = new ArrayList<>();
            ledger.read(ReadRequest.newBuilder().setFromPositions("0").setLimit(5).build()).forEachRemaining(page::add);
            assertEquals(5, page.size());
            String next = page.get(4).getNextPositions();
            Set<String> seen = new HashSet<>();
            page.forEach(e -> seen.add(e.getStream() + "@" + e.getStreamVersion()));
            Iterator<Event> followed = ledger.withDeadlineAfter(30, java.util.concurrent.TimeUnit.SECONDS)
                .subscribe(SubscribeRequest.newBuilder().setFromPositions(next).build());
            appended.addAll(appendAcrossPartitions(3));
            while (seen.size() < appended.size()) {
                Event e = followed.next();
                assertTrue(seen.add(e.getStream() + "@" + e.getStreamVersion()), "each event once: " + e);
                assertEquals(journal.partitionOf(e.getStream()), e.getPartition(), e.toString());
            }
            assertEquals(appended, seen);
            StatusRuntimeException refused = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
                () -> ledger.read(ReadRequest.newBuilder().setFromGlobalSeq(4).build()).hasNext());
            assertEquals(Status.Code.INVALID_ARGUMENT, refused.getStatus().getCode());
            assertTrue(refused.getStatus().getDescription().startsWith("from_global_seq"), refused.getMessage());
        } finally {
            channel.shutdownNow();
        }
    }

    @Test
    void shouldReadAndSubscribeWithTheJavaClientFromAnEventsNextEachEventOnce() throws Exception {
        Set<String> appended = appendAcrossPartitions(6);
        try (IndelibleClient client = IndelibleClient.connect("127.0.0.1", server.grpcPort(), token)) {
            List<PositionedEvent> page = client.read("0", 4);
            assertEquals(4, page.size());
            Set<String> seen = new HashSet<>();
            for (PositionedEvent e : page) {
                assertEquals(journal.partitionOf(e.event().stream()), e.partition(), e.toString());
                assertTrue(seen.add(e.event().stream() + "@" + e.event().streamVersion()), "each event once: " + e);
            }
            String next = page.get(3).next();
            assertTrue(next.matches("\\d+,\\d+,\\d+"), "one global_seq per partition: " + next);

            java.util.concurrent.LinkedBlockingQueue<PositionedEvent> followed = new java.util.concurrent.LinkedBlockingQueue<>();
            java.util.concurrent.CompletableFuture<Throwable> ended = new java.util.concurrent.CompletableFuture<>();
            try (AutoCloseable subscription = client.subscribe(next, followed::add, ended::complete)) {
                appended.addAll(appendAcrossPartitions(3));
                String last = next;
                while (seen.size() < appended.size()) {
                    PositionedEvent e = followed.poll(30, java.util.concurrent.TimeUnit.SECONDS);
                    assertTrue(e != null, "followed " + seen.size() + " of " + appended.size() + "; ended: " + ended.getNow(null));
                    assertTrue(seen.add(e.event().stream() + "@" + e.event().streamVersion()), "each event once: " + e);
                    last = e.next();
                }
                assertEquals(appended, seen);
                assertEquals("3,3,3", last, "the last event's next is past every event");
            }
            assertEquals(List.of(), client.read("3,3,3", 10), "nothing past the head");
            assertEquals(5, client.read(next, 100).size(), "a read resumes from the same next");

            InvalidEventException wrong = org.junit.jupiter.api.Assertions.assertThrows(InvalidEventException.class,
                () -> client.read("3,3", 10));
            assertEquals("from_positions", wrong.field(), wrong.getMessage());
            assertEquals("from_global_seq", org.junit.jupiter.api.Assertions.assertThrows(InvalidEventException.class,
                () -> client.read(4L, 10)).field(), "a global_seq alone means nothing over partitions");
            IllegalArgumentException blank = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> client.read("", 10));
            assertEquals(IllegalArgumentException.class, blank.getClass(), "refused before sending: " + blank);
        }
    }

    @Test
    void shouldResumeServerSentEventsFromTheLastEventsId() throws Exception {
        Set<String> appended = appendAcrossPartitions(6);
        Set<String> seen = new HashSet<>();
        String lastId = follow("/subscribe?from=0", null, 3, seen);
        assertTrue(lastId.matches("\\d+,\\d+,\\d+"), "an event's id is its next: " + lastId);
        follow("/subscribe", lastId, 3, seen);
        assertEquals(appended, seen, "each event once");
        java.net.http.HttpResponse<String> refused = java.net.http.HttpClient.newHttpClient().send(
            java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + server.port() + "/subscribe"))
                .header("Authorization", "Bearer " + token).header("Last-Event-ID", "4").build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(400, refused.statusCode(), refused.body());
        assertTrue(refused.body().contains("last-event-id"), refused.body());
    }

    /** Reads {@code count} server-sent events into {@code seen} (each once); the last one's id. */
    private String follow(String path, String lastEventId, int count, Set<String> seen) throws Exception {
        java.net.http.HttpRequest.Builder request = java.net.http.HttpRequest.newBuilder(
            java.net.URI.create("http://127.0.0.1:" + server.port() + path)).header("Authorization", "Bearer " + token);
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        java.net.http.HttpResponse<java.util.stream.Stream<String>> answer = java.net.http.HttpClient.newHttpClient()
            .send(request.build(), java.net.http.HttpResponse.BodyHandlers.ofLines());
        if (answer.statusCode() != 200) {
            try (java.util.stream.Stream<String> body = answer.body()) {
                assertEquals(200, answer.statusCode(), body.collect(java.util.stream.Collectors.joining("\n")));
            }
        }
        String id = null;
        try (java.util.stream.Stream<String> lines = answer.body()) {
            Iterator<String> it = lines.iterator();
            for (int events = 0; events < count; ) {
                String line = it.next();
                if (line.startsWith("id: ")) {
                    id = line.substring(4);
                } else if (line.startsWith("data: ")) {
                    JsonNode e = new com.fasterxml.jackson.databind.ObjectMapper().readTree(line.substring(6));
                    assertTrue(seen.add(e.get("stream").asText() + "@" + e.get("stream_version")), "each event once: " + e);
                    assertEquals(id, e.get("next").asText(), "the id is the event's next");
                    events++;
                }
            }
        }
        return id;
    }

    /** {@code n} events on streams spread over the partitions; their stream@version names. */
    private Set<String> appendAcrossPartitions(int n) {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < n; i++) {
            String stream = "items-" + (i % 3);
            Http.Response r = http.post("/streams/" + stream, token, "{\"type\":\"item.added\",\"data\":{\"i\":" + i + "}}");
            assertEquals(200, r.status(), r.body());
            names.add(stream + "@" + r.json().get("first_stream_version").asLong());
        }
        return names;
    }
}
