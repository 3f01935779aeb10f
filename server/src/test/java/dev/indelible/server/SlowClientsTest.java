package dev.indelible.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.indelible.ledger.EventData;
import dev.indelible.ledger.ExpectedVersion;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
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
 * Clients that hold connections without finishing a request (slowloris): they cost a socket
 * each, never a request thread, and a connection that moves nothing is closed.
 */
@Timeout(120)
class SlowClientsTest {
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
            long[] http = new long[20];
            long[] grpc = new long[20];
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
    void shouldHoldALongPollAndASubscriptionPastTheIdleTimeout() throws Exception {
        ServerConfig config = ServerConfig.defaults().withIdleTimeout(Duration.ofMillis(500));
        try (ServerFixture f = new ServerFixture(dir, config); Socket sse = new Socket("127.0.0.1", f.server.port())) {
            String token = f.token("reader", "selfies-*", Verb.READ, Verb.APPEND);
            sse.setSoTimeout(30_000);
            sse.getOutputStream().write(("GET /subscribe?from=0 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token
                + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            BufferedReader events = new BufferedReader(new InputStreamReader(sse.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("HTTP/1.1 200 OK", events.readLine());

            long started = System.nanoTime();
            Http.Response poll = f.http.get("/events?from=0&wait=2s", token); // four idle timeouts without a byte
            assertEquals(200, poll.status(), poll.toString());
            assertTrue(System.nanoTime() - started >= TimeUnit.SECONDS.toNanos(2), "held for its whole wait");

            assertEquals(200, f.http.post("/streams/selfies-user-1", token, Http.selfie(1, "late")).status());
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

            Http.Response poll = f.http.get("/events?from=0&limit=1&stream_prefix=none-&wait=2s", token); // not reading meanwhile
            assertEquals(200, poll.status(), poll.toString());

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
    void shouldRefuseHeadersOverTheLimitWith431AndServeTheNextRequest() throws Exception {
        try (ServerFixture f = new ServerFixture(dir); Socket socket = new Socket("127.0.0.1", f.server.port())) {
            socket.setSoTimeout(10_000);
            String header = "X-Big: " + "a".repeat(IndelibleServer.MAX_HEADER_BYTES) + "\r\n";
            socket.getOutputStream().write(("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n" + header + "\r\n")
                .getBytes(StandardCharsets.US_ASCII));
            String status = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            assertEquals("HTTP/1.1 431", status);
            assertEquals(200, f.http.get("/health/live", null).status());
        }
    }

    private static long max(long[] values) {
        return Arrays.stream(values).max().orElseThrow();
    }

    /** Sockets that each began a request and add one header byte at a time, never finishing it. */
    private static final class Drip implements AutoCloseable {
        private final List<Socket> sockets = new ArrayList<>();
        private int next;

        Drip(int port, int count) throws IOException {
            for (int i = 0; i < count; i++) {
                Socket socket = new Socket("127.0.0.1", port);
                socket.setSoTimeout(1);
                sockets.add(socket);
                socket.getOutputStream().write("POST /streams/selfies-user-9 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "
                    .getBytes(StandardCharsets.US_ASCII));
            }
        }

        /** One more header byte on the next {@code count} sockets, round robin. */
        void send(int count) throws IOException {
            for (int i = 0; i < count; i++) {
                OutputStream out = sockets.get(next++ % sockets.size()).getOutputStream();
                out.write('a');
                out.flush();
            }
        }

        /** How many the server still waits on. */
        int open() {
            int open = 0;
            for (Socket socket : sockets) {
                try {
                    socket.getInputStream().read(); // an answer (408) or the end of the stream: the server is done with it
                } catch (SocketTimeoutException nothingYet) {
                    open++; // the server is still waiting for the header
                } catch (IOException reset) {
                    // closed
                }
            }
            return open;
        }

        @Override
        public void close() throws IOException {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
    }
}
