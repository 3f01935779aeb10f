package dev.indelible.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.indelible.ledger.EventData;
import dev.indelible.ledger.ExpectedVersion;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a client cannot push the HTTP server past. Connections that never finish a request
 * (slowloris) cost a socket each, never a request thread; one that moves nothing is closed; one
 * token's slow uploads hold at most half the request threads; oversized and malformed requests
 * are answered in the API's JSON error format.
 */
@Timeout(120)
class HttpBoundsTest {
    /** Twice the request threads: with one thread per unfinished header, this many stopped the old server. */
    private static final int SLOW_SOCKETS = 2 * ServerConfig.defaults().threads();
    private static final long ANSWER_WITHIN_NANOS = TimeUnit.SECONDS.toNanos(2);

    @TempDir
    Path dir;

    @Test
    void shouldAnswerHttpAndGrpcPromptlyWhileTwiceTheRequestThreadsOfSocketsDripTheirHeaders() throws Exception {
        try (ServerFixture f = new ServerFixture(dir); Drip drip = new Drip(f.server.port(), SLOW_SOCKETS)) {
            String token = f.token("producer", "selfies-*", Verb.APPEND, Verb.READ);
            drip.send(SLOW_SOCKETS); // a header byte on every socket: all are open and unfinished
            long[] http = new long[21];
            long[] grpc = new long[21];
            try (IndelibleClient client = IndelibleClient.connect("127.0.0.1", f.server.grpcPort(), token)) {
                for (int i = 0; i < http.length; i++) {
                    long started = System.nanoTime();
                    Http.Response r = f.http.post("/streams/selfies-user-1", token, Http.selfie(1, "h" + i));
                    http[i] = System.nanoTime() - started;
                    assertEquals(200, r.status(), r.toString());
                    started = System.nanoTime();
                    client.append("selfies-user-2", i == 0 ? ExpectedVersion.NO_STREAM : i - 1,
                        List.of(EventData.json("selfie.recorded", ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8))));
                    grpc[i] = System.nanoTime() - started;
                    drip.send(1);
                }
            }
            System.out.printf("with %d dripping sockets: HTTP append max %.1f ms, gRPC append max %.1f ms%n", SLOW_SOCKETS,
                max(http) / 1e6, max(grpc) / 1e6);
            assertTrue(max(http) < ANSWER_WITHIN_NANOS, "HTTP answered within 2 s: " + Arrays.toString(http));
            assertTrue(max(grpc) < ANSWER_WITHIN_NANOS, "gRPC answered within 2 s: " + Arrays.toString(grpc));
            assertEquals(SLOW_SOCKETS, drip.open(), "the attack was still on: every dripping socket open");
            assertEquals(200, f.http.get("/health/live", null).status());
        }
    }

    @Test
    void shouldCloseAConnectionThatMovesNothingForTheIdleTimeout() throws Exception {
        ServerConfig config = ServerConfig.defaults().withIdleTimeout(Duration.ofMillis(500));
        try (ServerFixture f = new ServerFixture(dir, config); Drip drip = new Drip(f.server.port(), 4)) {
            drip.send(4);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (drip.open() > 0) {
                assertTrue(System.nanoTime() < deadline, drip.open() + " idle sockets still open after 20 s");
            }
            assertEquals(200, f.http.get("/health/live", null).status(), "the server goes on");
        }
    }

    @Test
    void shouldAnswerALongPollWithinTheIdleTimeoutAndKeepAQuietSubscriptionAliveWithHeartbeats() throws Exception {
        ServerConfig config = ServerConfig.defaults().withIdleTimeout(Duration.ofMillis(500));
        try (ServerFixture f = new ServerFixture(dir, config); Socket sse = new Socket("127.0.0.1", f.server.port())) {
            String token = f.token("reader", "selfies-*", Verb.READ, Verb.APPEND);
            sse.setSoTimeout(30_000);
            sse.getOutputStream().write(("GET /subscribe?from=0 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token
                + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            BufferedReader events = new BufferedReader(new InputStreamReader(sse.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("HTTP/1.1 200 OK", events.readLine());

            for (int i = 0; i < 4; i++) { // a wait longer than the idle timeout is answered before it, never cut
                Http.Response poll = f.http.get("/events?from=0&wait=2s", token);
                assertEquals(200, poll.status(), poll.toString());
                assertEquals(0, poll.json().get("events").size());
            }

            int heartbeats = 0;
            while (heartbeats < 4) { // two idle timeouts of quiet: heartbeats keep it alive
                String line = events.readLine();
                assertTrue(line != null, "the quiet subscription was closed");
                heartbeats += line.startsWith(": heartbeat") ? 1 : 0;
            }
            assertEquals(200, new Http(f.server.port()).post("/streams/selfies-user-1", token, Http.selfie(1, "late")).status());
            String line;
            do {
                line = events.readLine();
            } while (line != null && !line.startsWith("data:"));
            assertTrue(line != null && line.contains("\"late\""), "the quiet subscription still delivers: " + line);
        }
    }

    @Test
    void shouldCloseASubscriberThatStopsReadingForTheIdleTimeout() throws Exception {
        ServerConfig config = ServerConfig.defaults().withIdleTimeout(Duration.ofMillis(500));
        try (ServerFixture f = new ServerFixture(dir, config); Socket sse = new Socket()) {
            String token = f.token("reader", "selfies-*", Verb.READ);
            String pad = "x".repeat(1_000);
            for (int batch = 0; batch < 20; batch++) { // 20 MB: more than the sockets' buffers hold
                List<EventData> events = new ArrayList<>();
                for (int i = 0; i < 1_000; i++) {
                    events.add(EventData.json("note.added", ("{\"pad\":\"" + pad + "\"}").getBytes(StandardCharsets.UTF_8)));
                }
                f.ledger.append("selfies-user-1", ExpectedVersion.ANY, events);
            }
            sse.setReceiveBufferSize(4_096);
            sse.connect(new java.net.InetSocketAddress("127.0.0.1", f.server.port()));
            sse.getOutputStream().write(("GET /subscribe?from=0 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token
                + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));

            TimeUnit.SECONDS.sleep(2); // not reading for four idle timeouts: the stall under test, not a wait for something

            sse.setSoTimeout(10_000);
            long received = 0;
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = sse.getInputStream().read(buffer)) != -1; ) { // a timeout here: the server kept it open
                received += n;
            }
            assertTrue(received < 20_000_000L, "closed before the whole backlog was written: " + received + " bytes");
            assertEquals(200, f.http.get("/health/live", null).status());
        }
    }

    @Test
    void shouldBoundOneTokensSlowUploadsToHalfTheRequestThreadsAndServeOtherTokens() throws Exception {
        int perToken = ServerConfig.defaults().threads() / 2;
        int uploads = perToken + 8;
        try (ServerFixture f = new ServerFixture(dir)) {
            String slow = f.token("slow", "selfies-*", Verb.APPEND);
            String other = f.token("other", "selfies-*", Verb.APPEND);
            String begun = "POST /streams/selfies-user-9 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + slow
                + "\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{";
            try (Drip drip = new Drip(f.server.port(), uploads, begun)) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (drip.answered("HTTP/1.1 503") < uploads - perToken) {
                    assertTrue(System.nanoTime() < deadline, drip.answered("HTTP/1.1 503") + " of the uploads past the bound"
                        + " refused after 30 s");
                    drip.send(uploads);
                }
                assertEquals(perToken, drip.open(), "the token's first uploads still being read");
                Http.Response refused = f.http.post("/streams/selfies-user-1", slow, Http.selfie(1, "one-more"));
                assertEquals(503, refused.status(), refused.toString());
                assertTrue(refused.body().contains("requests in flight"), refused.toString());

                long started = System.nanoTime();
                Http.Response served = f.http.post("/streams/selfies-user-2", other, Http.selfie(2, "other"));
                long took = System.nanoTime() - started;
                assertEquals(200, served.status(), served.toString());
                assertTrue(took < ANSWER_WITHIN_NANOS, "another token answered within 2 s: " + took / 1_000_000 + " ms");
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            Http.Response again;
            while ((again = f.http.post("/streams/selfies-user-1", slow, Http.selfie(1, "after"))).status() == 503) {
                assertTrue(System.nanoTime() < deadline, "slots given back once the uploads left: " + again);
            }
            assertEquals(200, again.status(), again.toString());
        }
    }

    @Test
    void shouldRefuseHeadersOverTheLimitWith431InJsonAndServeTheNextRequest() throws Exception {
        try (ServerFixture f = new ServerFixture(dir); Socket socket = new Socket("127.0.0.1", f.server.port())) {
            socket.setSoTimeout(10_000);
            String header = "X-Big: " + "a".repeat(IndelibleServer.MAX_HEADER_BYTES) + "\r\n";
            socket.getOutputStream().write(("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n" + header + "\r\n")
                .getBytes(StandardCharsets.US_ASCII));
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(answer.startsWith("HTTP/1.1 431"), answer);
            assertTrue(answer.endsWith("{\"error\":\"request_too_large\",\"field\":\"headers\",\"message\":\"the request"
                + " headers are over the limit of 16384 bytes\"}"), "the API's JSON error, not an HTML page: " + answer);
            assertEquals(200, f.http.get("/health/live", null).status());
        }
    }

    @Test
    void shouldAnswerMalformedAndOversizedRequestsInTheApisJsonErrorFormat() throws Exception {
        try (ServerFixture f = new ServerFixture(dir, ServerConfig.defaults().withIdleTimeout(Duration.ofSeconds(1)))) {
            String uri = raw(f, "GET /" + "a".repeat(1 << 20) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            assertTrue(uri.startsWith("HTTP/1.1 414"), uri);
            assertTrue(uri.contains("{\"error\":\"request_too_large\",\"field\":\"uri\""), uri);
            for (String malformed : List.of("GARBAGE\r\n\r\n", "GET /health/live HTTP/1.1\r\n\r\n",
                    "POST /streams/selfies-user-1 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ten\r\n\r\n")) {
                String answer = raw(f, malformed);
                assertTrue(answer.startsWith("HTTP/1.1 400"), answer);
                assertTrue(answer.contains("application/json"), answer);
                assertTrue(answer.contains("{\"error\":\"invalid_argument\",\"field\":\"request\",\"message\":\"malformed HTTP"
                    + " request: "), answer);
            }
            assertEquals(0, f.ledger.read(0, 10).size(), "nothing written");
        }
    }

    /** Sends {@code request} on a new connection and reads until the server closes it. */
    private static String raw(ServerFixture f, String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", f.server.port())) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    /** The slowest answer after the first, which loads the classes of its path. */
    private static long max(long[] values) {
        return Arrays.stream(values).skip(1).max().orElseThrow();
    }
}
