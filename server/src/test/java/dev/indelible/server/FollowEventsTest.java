package dev.indelible.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Following events over HTTP: the long poll {@code GET /events?wait=} and server-sent events {@code GET /subscribe}. */
class FollowEventsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void shouldHoldALongPollUntilAnEventArrivesAndFilterByStreamAndType() throws Exception {
        try (ServerFixture f = new ServerFixture(dir)) {
            String token = f.token("reader", "selfies-*", Verb.APPEND, Verb.READ);
            CompletableFuture<Http.Response> poll = CompletableFuture.supplyAsync(() -> f.http.get("/events?from=0&wait=20s", token));
            long started = System.nanoTime();
            assertEquals(200, f.http.post("/streams/selfies-user-1", token, Http.selfie(1, "a")).status());
            JsonNode answer = poll.get(30, TimeUnit.SECONDS).json();
            assertEquals(1, answer.get("events").size(), answer.toString());
            assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(10), "answered when the event came, not at the wait's end");

            long before = System.nanoTime();
            JsonNode empty = f.http.get("/events?from=1&wait=300ms", token).json();
            assertTrue(System.nanoTime() - before >= TimeUnit.MILLISECONDS.toNanos(300), "held for the wait");
            assertEquals(0, empty.get("events").size());
            assertEquals(1, empty.get("next").asLong());

            f.http.post("/streams/selfies-user-2", token, Http.selfie(2, "b"));
            f.http.post("/streams/selfies-user-1", token, "{\"type\":\"note.added\",\"data\":{\"n\":1}}");
            JsonNode notes = f.http.get("/events?from=0&stream_prefix=selfies-user-1&type=note.*", token).json();
            assertEquals(1, notes.get("events").size(), notes.toString());
            assertEquals("note.added", notes.get("events").get(0).get("type").asText());
            assertEquals(3, notes.get("next").asLong(), "next passes every event scanned");
            assertEquals(400, f.http.get("/events?wait=2m", token).status());
        }
    }

    @Test
    void shouldAnswerPagesOfLargeEventsWithinTheirByteBudgetAndContinueFromNext() throws Exception {
        try (ServerFixture f = new ServerFixture(dir)) {
            String token = f.token("reader", "*", Verb.APPEND, Verb.READ);
            byte[] large = ("{\"s\":\"" + "x".repeat(1_000_000) + "\"}").getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < 12; i++) {
                f.ledger.append("large", dev.indelible.ledger.ExpectedVersion.ANY,
                    dev.indelible.ledger.EventData.json("note.added", large));
            }
            List<Long> seen = new ArrayList<>();
            long next = 0;
            int pages = 0;
            while (seen.size() < 12 && pages++ < 12) {
                JsonNode page = f.http.get("/events?from=" + next + "&limit=1000", token).json();
                assertTrue(page.get("events").size() <= 2, "at most 1 MiB of payload and one event more: " + page.get("events").size());
                page.get("events").forEach(e -> seen.add(e.get("global_seq").asLong()));
                next = page.get("next").asLong();
            }
            assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L), seen, "every event once, page after page");
            assertTrue(pages >= 6, "twelve events of 1 MB take six pages or more: " + pages);

            List<Long> versions = new ArrayList<>();
            long nextVersion = 0;
            for (int streamPages = 0; versions.size() < 12 && streamPages < 12; streamPages++) {
                JsonNode page = f.http.get("/streams/large?from_version=" + nextVersion + "&limit=1000", token).json();
                assertTrue(page.get("events").size() <= 2, "a stream's page has the same budget: " + page.get("events").size());
                page.get("events").forEach(e -> versions.add(e.get("stream_version").asLong()));
                nextVersion = page.get("next_version").asLong();
            }
            assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L), versions, "the stream's events once each, in order");
        }
    }

    @Test
    void shouldDeliverEveryEventExactlyOnceAcrossAServerRestartWithLastEventId() throws Exception {
        List<Long> received = new ArrayList<>();
        String token;
        long last;
        try (ServerFixture f = new ServerFixture(dir)) {
            token = f.token("follower", "selfies-*", Verb.APPEND, Verb.READ);
            for (int i = 0; i < 100; i++) {
                f.http.post("/streams/selfies-user-" + (i % 3 + 1), token, Http.selfie(i % 3 + 1, "f" + i));
            }
            Sse sse = Sse.open(f.server.port(), token, null);
            CompletableFuture<Void> live = CompletableFuture.runAsync(() -> {
                for (int i = 100; i < 300; i++) {
                    f.http.post("/streams/selfies-user-" + (i % 3 + 1), token, Http.selfie(i % 3 + 1, "f" + i));
                }
            });
            sse.readIds(received, 300);
            live.get(60, TimeUnit.SECONDS);
            last = received.get(received.size() - 1);
            f.server.close();
            assertTrue(sse.ended(), "the stream ends when the server stops");
        }
        try (ServerFixture f = new ServerFixture(dir)) {
            for (int i = 300; i < 400; i++) {
                f.ledger.append("selfies-user-1", dev.indelible.ledger.ExpectedVersion.ANY, GrpcApiTest.selfie(1, "g" + i));
            }
            Sse sse = Sse.open(f.server.port(), token, last);
            sse.readIds(received, 400);
            sse.close();
        }
        assertEquals(400, received.size());
        for (int i = 0; i < 400; i++) {
            assertEquals(i, received.get(i), "every event once, in order");
        }
    }

    @Test
    void shouldKeepAnsweringOthersWhileASubscriberNeverReadsAndRefuseSubscribersPastTheCap() throws Exception {
        try (ServerFixture f = new ServerFixture(dir)) {
            String token = f.token("follower", "*", Verb.APPEND, Verb.READ);
            List<Socket> stalled = new ArrayList<>();
            try {
                for (int i = 0; i < 16; i++) {
                    Socket s = new Socket();
                    s.setReceiveBufferSize(4096);
                    s.connect(new java.net.InetSocketAddress("127.0.0.1", f.server.port()));
                    s.getOutputStream().write(("GET /subscribe?from=0 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token
                        + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    stalled.add(s); // never read
                }
                StringBuilder batch = new StringBuilder("[");
                for (int i = 0; i < 100; i++) {
                    batch.append(i == 0 ? "" : ",").append("{\"type\":\"note.added\",\"data\":{\"text\":\"" + "x".repeat(900) + "\"}}");
                }
                String body = batch.append(']').toString();
                List<Long> latencies = new ArrayList<>();
                for (int i = 0; i < 100; i++) { // 10,000 events of 1 KB: far more than the stalled sockets take
                    long t = System.nanoTime();
                    assertEquals(200, f.http.post("/streams/notes-" + i, token, body).status());
                    assertEquals(200, f.http.get("/health/live", null).status());
                    latencies.add((System.nanoTime() - t) / 1_000_000);
                }
                latencies.sort(null);
                long p99 = latencies.get(98);
                System.out.println("FollowEventsTest: 16 stalled subscribers; append + health p99 " + p99 + " ms, max "
                    + latencies.get(99) + " ms");
                assertTrue(p99 < 1_000, "a well-behaved client keeps its answers within 1 s: p99 " + p99 + " ms");
                assertEquals(429, f.http.get("/subscribe?from=0", token).status(), "the 17th subscriber");
            } finally {
                for (Socket s : stalled) {
                    s.close();
                }
            }
        }
    }

    /** A server-sent events client on java.net.http, reading ids as they come. */
    private static final class Sse implements AutoCloseable {
        private final BufferedReader lines;
        private boolean ended;

        private Sse(BufferedReader lines) {
            this.lines = lines;
        }

        static Sse open(int port, String token, Long lastEventId) throws Exception {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/subscribe?from=0"))
                .header("Authorization", "Bearer " + token);
            if (lastEventId != null) {
                request.header("Last-Event-ID", Long.toString(lastEventId));
            }
            HttpResponse<java.io.InputStream> response = HttpClient.newHttpClient()
                .send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, response.statusCode());
            assertEquals("text/event-stream; charset=utf-8", response.headers().firstValue("Content-Type").orElse(""));
            return new Sse(new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8)));
        }

        /** Reads until {@code received} holds {@code total} ids; fails instead of hanging (the stream's heartbeat bounds a read). */
        void readIds(List<Long> received, int total) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (received.size() < total) {
                assertTrue(System.nanoTime() < deadline, "received " + received.size() + " of " + total + " in time");
                String line = lines.readLine();
                if (line == null) {
                    throw new AssertionError("the stream ended after " + received.size() + " events");
                }
                if (line.startsWith("id: ")) {
                    received.add(Long.parseLong(line.substring(4)));
                } else if (line.startsWith("data: ")) {
                    assertEquals(received.get(received.size() - 1), JSON.readTree(line.substring(6)).get("global_seq").asLong());
                }
            }
        }

        /** Whether the stream ends (the server's farewell comment, then the end) without another event. */
        boolean ended() throws Exception {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.startsWith("id: ")) {
                    return false;
                }
            }
            ended = true;
            return ended;
        }

        @Override
        public void close() throws Exception {
            lines.close();
        }
    }
}
