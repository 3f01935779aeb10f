package dev.indelible.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.indelible.ledger.EventData;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.testing.ChildJvm;
import dev.indelible.projections.reference.DomainEvents;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attacks of the hardening issue, one after another, against a server in its own JVM with a
 * 256 MB heap that exits on an OutOfMemoryError. Through each, a well-behaved producer appends over
 * HTTP and gRPC and asks for health: its p99 stays under a second, none of its requests fails,
 * and afterwards the journal verifies and holds exactly what it was told was stored.
 */
@Timeout(600)
@Tag("system")
class AttacksTest {
    private static final long P99_BOUND_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final Duration ATTACK = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    @Test
    void shouldAnswerAWellBehavedProducerWithinASecondThroughEveryAttackInABoundedHeap() throws Exception {
        String good;
        String attacker;
        try (Ledger ledger = Ledger.open(dir, DomainEvents.register(LedgerConfig.builder()).build())) {
            Tokens tokens = Tokens.open(dir);
            good = tokens.create("good", List.of("selfies-*"), EnumSet.of(Verb.APPEND, Verb.READ, Verb.STATUS)).secret();
            attacker = tokens.create("attacker", List.of("*"), EnumSet.of(Verb.APPEND, Verb.READ)).secret();
            byte[] large = ("{\"s\":\"" + "x".repeat(1_000_000) + "\"}").getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < 24; i++) { // what readers that never read ask for
                ledger.append("notes-big", ExpectedVersion.ANY, EventData.json("note.added", large));
            }
        }
        Map<String, long[]> figures = new LinkedHashMap<>();
        long httpAcked;
        long grpcAcked;
        try (ChildJvm server = ChildJvm.startWith(List.of("-Xmx256m", "-XX:+ExitOnOutOfMemoryError", ChildJvm.FULL_JIT), ServerMain.class,
                dir.resolve("server-stderr.txt"), dir.toString())) {
            server.awaitLines(1, 60);
            String[] ports = server.lines().get(0).split(" ");
            int http = Integer.parseInt(ports[1]);
            int grpc = Integer.parseInt(ports[3]);
            try (WellBehavedProducer producer = new WellBehavedProducer(http, grpc, good)) {
                Map<String, WellBehavedProducer.Attack> attacks = new LinkedHashMap<>();
                attacks.put("unique paths", () -> uniquePaths(http));
                attacks.put("slowloris", () -> drip(http, 256, Drip.HEADER));
                attacks.put("slow uploads", () -> drip(http, 48, "POST /streams/selfies-x HTTP/1.1\r\n"
                    + "Host: 127.0.0.1\r\nAuthorization: Bearer " + attacker + "\r\nContent-Length: 100000\r\n\r\n{"));
                attacks.put("readers that never read", () -> neverRead(http, attacker));
                attacks.put("wrong tokens", () -> wrongTokens(http));
                for (Map.Entry<String, WellBehavedProducer.Attack> a : attacks.entrySet()) {
                    long[] latency = producer.during(a.getValue());
                    figures.put(a.getKey(), new long[] {latency[0], latency[1], latency[2], heapAfterGc(server.pid())});
                }
                for (Map.Entry<String, long[]> f : figures.entrySet()) {
                    System.out.printf("attack %-24s producer p99 %6.1f ms, max %6.1f ms, %d requests; server heap after GC %d MB%n",
                        f.getKey(), f.getValue()[0] / 1e6, f.getValue()[1] / 1e6, f.getValue()[2], f.getValue()[3]);
                }
                String metrics = new Http(http).get("/metrics", good).body();
                assertTrue(metrics.length() < 200_000, "metric series stay few: /metrics is " + metrics.length() + " chars");
                producer.close(); // its last answers in, before they are counted
                httpAcked = producer.httpAcked();
                grpcAcked = producer.grpcAcked();
            }
            server.terminate();
            int exit = server.awaitExit(60);
            assertEquals(143, exit, () -> "still running until SIGTERM (an OutOfMemoryError exits with 3); stdout:\n"
                + String.join("\n", server.lines()) + "\nstderr:\n" + server.stderrText());
            assertTrue(!server.stderrText().contains("OutOfMemoryError"), server.stderrText());
        }
        for (Map.Entry<String, long[]> f : figures.entrySet()) {
            assertTrue(f.getValue()[0] < P99_BOUND_NANOS, f.getKey() + ": producer p99 " + f.getValue()[0] / 1_000_000 + " ms");
        }
        try (Ledger ledger = Ledger.open(dir, LedgerConfig.defaults())) {
            assertTrue(ledger.verify().ok(), "the journal verifies");
            assertEquals(httpAcked, ledger.streamVersion("selfies-user-1") + 1, "every HTTP append acknowledged is there, once");
            assertEquals(grpcAcked, ledger.streamVersion("selfies-user-2") + 1, "every gRPC append acknowledged is there, once");
        }
    }

    /** 20,000 requests without a token, each for a new 4 KB path: each a new metric series once. */
    private static void uniquePaths(int port) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            done.add(pool.submit(() -> {
                for (int i = 0; i < 2_500; i++) {
                    String path = "/" + Long.toHexString(ThreadLocalRandom.current().nextLong()) + "x".repeat(4_000);
                    client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                        HttpResponse.BodyHandlers.discarding());
                }
                return null;
            }));
        }
        for (Future<?> d : done) {
            d.get();
        }
        pool.shutdown();
    }

    /** {@code count} sockets that began a request and add a byte each 100 ms, for the attack's length. */
    private static void drip(int port, int count, String begun) throws Exception {
        try (Drip drip = new Drip(port, count, begun)) {
            long end = System.nanoTime() + ATTACK.toNanos();
            while (System.nanoTime() < end) {
                drip.send(count);
                TimeUnit.MILLISECONDS.sleep(100); // the attack's pace
            }
        }
    }

    /** 16 subscribers and 48 readers of 1 MB events that never read their answers, held for the attack's length. */
    private static void neverRead(int port, String token) throws Exception {
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < 64; i++) {
                String path = i < 16 ? "/subscribe?from=0" : i < 40 ? "/events?from=0&limit=1000" : "/streams/notes-big?limit=1000";
                Socket socket = new Socket();
                socket.setReceiveBufferSize(4_096);
                socket.connect(new InetSocketAddress("127.0.0.1", port));
                socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                sockets.add(socket);
            }
            TimeUnit.NANOSECONDS.sleep(ATTACK.toNanos()); // the attack's length: they hold their answers meanwhile
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
        }
    }

    /** 8 threads sending made-up and missing tokens: 401, then 429 for those addresses and ids. */
    private static void wrongTokens(int port) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            done.add(pool.submit(() -> {
                Http http = new Http(port);
                for (int i = 0; i < 500; i++) {
                    String made = i % 5 == 0 ? null : "idl_" + String.format("%016x", ThreadLocalRandom.current().nextLong())
                        + "_" + Long.toHexString(ThreadLocalRandom.current().nextLong());
                    try {
                        int status = http.post("/streams/selfies-user-1", made, Http.selfie(1, "forged")).status();
                        assertTrue(status == 401 || status == 429, "a wrong token is refused: " + status);
                    } catch (java.io.UncheckedIOException closed) {
                        // the server closed the kept-alive connection after a refusal; the next request opens one
                    }
                }
                return null;
            }));
        }
        for (Future<?> d : done) {
            d.get();
        }
        pool.shutdown();
    }

    /** Heap in use after a full GC, in MB, read with jcmd. */
    static long heapAfterGc(long pid) throws IOException, InterruptedException {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        new ProcessBuilder(jcmd, Long.toString(pid), "GC.run").redirectErrorStream(true).start().waitFor();
        Process info = new ProcessBuilder(jcmd, Long.toString(pid), "GC.heap_info").redirectErrorStream(true).start();
        String text = new String(info.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        info.waitFor();
        java.util.regex.Matcher used = java.util.regex.Pattern.compile("used (\\d+)K").matcher(text);
        return used.find() ? Long.parseLong(used.group(1)) / 1024 : -1;
    }
}
