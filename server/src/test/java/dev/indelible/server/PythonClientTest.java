package dev.indelible.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.RecordedEvent;
import dev.indelible.ledger.testing.ChildJvm;
import dev.indelible.projections.ProjectionEngine;
import dev.indelible.projections.proto.SelfieSubmitted;
import dev.indelible.projections.reference.DomainEvents;
import dev.indelible.projections.reference.ReferenceProjections;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Python client ({@code clients/python}) against a real server: its unittest suite, and its
 * producer appending selfies, beside the Node client's ({@code clients/node/testing/soak.js}), while
 * the server is stopped and started again on the same port and data directory, and killed with
 * kill -9 and started again.
 */
@Tag("system")
class PythonClientTest {
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    private static final Path CLIENT = REPO.resolve("clients").resolve("python");
    /** The test methods in clients/python/tests/test_*.py; a change there changes this. */
    private static final int PYTHON_TESTS = 29;
    private static final int SOAK_SELFIES = 20_000;
    private static final int SOAK_THREADS = 4;
    private static final long SOAK_USER_BASE = 770_000_000L;
    private static final long NODE_SOAK_USER_BASE = 780_000_000L;
    private static final Path NODE_SOAK = REPO.resolve("clients").resolve("node").resolve("testing").resolve("soak.js");

    @TempDir
    Path dir;

    @Test
    void shouldPassThePythonClientsTestsAgainstARealServer() throws Exception {
        assertTrue(onPath("python3"), "python3 is needed on the PATH");
        try (ServerFixture f = new ServerFixture(dir);
             ThreePartitions.Served partitioned = ThreePartitions.serve(dir.resolve("partitioned"), f.tokens)) {
            String all = f.token("python-client", "*", Verb.APPEND, Verb.READ, Verb.QUERY, Verb.STATUS, Verb.ADMIN);
            String narrow = f.token("python-narrow", "selfies-*", Verb.APPEND, Verb.READ);
            long started = System.nanoTime();
            Process python = python(f.server.port(), partitioned.server().port(), all, narrow, "-m", "unittest", "discover",
                "-s", CLIENT.resolve("tests").toString(), "-t", CLIENT.toString(), "-v");
            String out = finish(python, 180);
            double seconds = (System.nanoTime() - started) / 1e9;
            assertEquals(0, python.exitValue(), out);
            assertTrue(out.contains("\nRan " + PYTHON_TESTS + " tests in "), "expected " + PYTHON_TESTS + " tests:\n" + out);
            assertTrue(out.strip().endsWith("\nOK"), out);
            for (String line : out.split("\n")) {
                if (line.startsWith("producer: ")) {
                    System.out.println("python " + line);
                }
            }
            System.out.printf("python client: %d tests OK in %.1f s%n", PYTHON_TESTS, seconds);
            assertTrue(f.ledger.verify().ok(), "the journal verifies after the Python tests");
        }
    }

    /**
     * The soak producer (20,000 selfies, 4 threads, 2,000/s) and a subscriber, and the Node soak
     * producer (as many, 4 async workers) at the same time, while the server is stopped (in flight
     * answered, then the port closed) and started again on the same port and data directory, then
     * the new server, in a child JVM, killed with kill -9 and started again: every selfie
     * acknowledged, stored exactly once, in each thread's or worker's order, seen once.
     */
    @Test
    void shouldStoreEverySelfieOnceWhenTheServerRestartsUnderThePythonProducer() throws Exception {
        assertTrue(onPath("python3"), "python3 is needed on the PATH");
        int port = freePort();
        Node node = Node.start(dir, port);
        String token = node.tokens.create("soak", List.of("selfies-*"), java.util.EnumSet.of(Verb.APPEND, Verb.READ))
            .secret();
        Path log = dir.resolve("soak.txt");
        Path nodeLog = dir.resolve("node-soak.txt");
        Process soak = null;
        Process nodeSoak = null;
        ChildJvm child = null;
        try {
            soak = start(log, port, token, null, CLIENT.resolve("tests").resolve("soak_producer.py").toString(),
                "--count", String.valueOf(SOAK_SELFIES), "--threads", String.valueOf(SOAK_THREADS), "--rate", "2000",
                "--user-base", String.valueOf(SOAK_USER_BASE), "--prefix", "soak");
            if (onPath("node")) { // as NodeClientTest: CI has node
                nodeSoak = startNode(nodeLog, port, token, NODE_SOAK.toString(), String.valueOf(SOAK_SELFIES),
                    String.valueOf(SOAK_THREADS), "2000", String.valueOf(NODE_SOAK_USER_BASE), "nodesoak");
            }
            awaitAcked(log, soak, 3_000, 60);
            long stopping = System.nanoTime();
            node.close(); // new requests 503, those in flight answered, then the port closes
            Thread.sleep(300); // refused connections for a while
            child = ChildJvm.startWith(List.of(ChildJvm.FULL_JIT), Serve.class, dir.resolve("child-stderr.txt"), dir.toString(), String.valueOf(port));
            child.awaitLines(1, 60);
            System.out.printf("soak: server closed and started again (a child JVM) on port %d in %d ms%n", port,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopping));
            awaitAcked(log, soak, 11_000, 60);
            long killed = System.nanoTime();
            child.kill9(); // answers in flight lost: their lines are sent again, stored ones answered as duplicates
            Thread.sleep(300);
            node = Node.start(dir, port);
            System.out.printf("soak: child killed with kill -9 and the server started again on port %d in %d ms%n", port,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed));
            String out = finish(soak, 180, log);
            assertEquals(0, soak.exitValue(), out);
            String summary = out.lines().filter(l -> l.startsWith("soak: ")).findFirst().orElse("");
            System.out.println("python " + summary);
            assertTrue(summary.startsWith("soak: acked=" + SOAK_SELFIES + " of " + SOAK_SELFIES + " failed=0 "), out);
            assertTrue(summary.contains(" order_broken=0 subscriber=" + SOAK_SELFIES + " repeated=0 "), out);
            Matcher retries = Pattern.compile(" retries=(\\d+) ").matcher(summary);
            assertTrue(retries.find() && Long.parseLong(retries.group(1)) > 0, "the restarts were retried through: " + out);
            checkEverySelfieOnceInOrder(node.ledger, "soak", SOAK_USER_BASE);
            if (nodeSoak != null) {
                String nodeOut = finish(nodeSoak, 180, nodeLog);
                assertEquals(0, nodeSoak.exitValue(), nodeOut);
                String nodeSummary = nodeOut.lines().filter(l -> l.startsWith("soak: ")).findFirst().orElse("");
                System.out.println("node " + nodeSummary);
                assertTrue(nodeSummary.startsWith("soak: acked=" + SOAK_SELFIES + " of " + SOAK_SELFIES + " failed=0 "),
                    nodeOut);
                Matcher nodeRetries = Pattern.compile(" retries=(\\d+) ").matcher(nodeSummary);
                assertTrue(nodeRetries.find() && Long.parseLong(nodeRetries.group(1)) > 0,
                    "the restarts were retried through: " + nodeOut);
                checkEverySelfieOnceInOrder(node.ledger, "nodesoak", NODE_SOAK_USER_BASE);
            }
            assertTrue(node.ledger.verify().ok(), "the journal verifies");
        } finally {
            for (Process p : new Process[] {soak, nodeSoak}) {
                if (p != null && p.isAlive()) {
                    p.destroyForcibly();
                }
            }
            if (child != null) {
                child.close();
            }
            node.close();
        }
    }

    /** A server in a child JVM for kill -9: {@code Serve DATA_DIR PORT}; prints "serving" once it listens. */
    public static final class Serve {
        private Serve() {
        }

        public static void main(String[] args) throws Exception {
            try (Node node = Node.start(Path.of(args[0]), Integer.parseInt(args[1]))) {
                System.out.println("serving " + node.server.port());
                System.out.flush();
                node.server.awaitStop();
            }
        }
    }

    /** Each soak selfie (file ids PREFIX-THREAD-N) stored exactly once, under the Java client's derived id, each thread's in its order. */
    private static void checkEverySelfieOnceInOrder(Ledger ledger, String prefix, long userBase) {
        Map<String, Integer> copies = new HashMap<>();
        Map<Integer, List<Integer>> order = new HashMap<>();
        long head = ledger.head();
        for (long from = 0; from < head; ) {
            List<RecordedEvent> events = ledger.read(from, 10_000);
            if (events.isEmpty()) {
                break;
            }
            for (RecordedEvent e : events) {
                if (!e.type().equals(DomainEvents.SELFIE_SUBMITTED)) {
                    continue;
                }
                SelfieSubmitted s = DomainEvents.parse(e, SelfieSubmitted.class);
                if (!s.getFileId().startsWith(prefix + "-")) {
                    continue;
                }
                copies.merge(s.getFileId(), 1, Integer::sum);
                assertEquals(DomainEvents.eventId(DomainEvents.SELFIE_SUBMITTED, s.getUserId() + "/" + s.getFileId()),
                    e.eventId(), "the client derives the Java client's id");
                String[] parts = s.getFileId().split("-");
                int thread = Integer.parseInt(parts[1]);
                assertEquals(userBase + 1 + thread, s.getUserId());
                order.computeIfAbsent(thread, t -> new ArrayList<>()).add(Integer.parseInt(parts[2]));
            }
            from = events.get(events.size() - 1).globalSeq() + 1;
        }
        assertEquals(SOAK_SELFIES, copies.size(), "every " + prefix + " selfie stored");
        copies.forEach((file, n) -> assertEquals(1, n, file + " stored once"));
        int perThread = SOAK_SELFIES / SOAK_THREADS;
        for (int t = 0; t < SOAK_THREADS; t++) {
            List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < perThread; i++) {
                expected.add(i);
            }
            assertEquals(expected, order.get(t), prefix + " thread " + t + "'s selfies in its order");
        }
    }

    /** A ledger, its projections and a server on a given port, as {@code indelible serve} runs them. */
    private static final class Node implements AutoCloseable {
        final Ledger ledger;
        final ProjectionEngine engine;
        final Tokens tokens;
        final IndelibleServer server;
        private boolean closed;

        private Node(Ledger ledger, ProjectionEngine engine, Tokens tokens, IndelibleServer server) {
            this.ledger = ledger;
            this.engine = engine;
            this.tokens = tokens;
            this.server = server;
        }

        static Node start(Path dir, int port) {
            Ledger ledger = Ledger.open(dir, DomainEvents.register(LedgerConfig.builder()).build());
            ProjectionEngine engine = ProjectionEngine.start(ledger, dir.resolve("projections"), ReferenceProjections.all());
            Tokens tokens = Tokens.open(dir);
            IndelibleServer server = IndelibleServer.start(ledger, engine, tokens,
                ServerConfig.defaults().withBind("127.0.0.1", port).withGrpcPort(0));
            return new Node(ledger, engine, tokens, server);
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                server.close();
                engine.close();
                ledger.close();
            }
        }
    }

    /** @param partitionedPort a server over three partitions with the same tokens (the partitioned journal's test) */
    private Process python(int port, int partitionedPort, String token, String narrow, String... args) throws IOException {
        return start(dir.resolve("python-tests.txt"), port, token, narrow, partitionedPort, args);
    }

    private static Process start(Path log, int port, String token, String narrow, String... args) throws IOException {
        return start(log, port, token, narrow, 0, args);
    }

    private static Process start(Path log, int port, String token, String narrow, int partitionedPort, String... args)
        throws IOException {
        List<String> command = new ArrayList<>(List.of("python3"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(CLIENT.toFile()).redirectErrorStream(true)
            .redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        env.put("PYTHONPATH", CLIENT.toString());
        env.put("PYTHONUNBUFFERED", "1");
        env.put("PYTHONDONTWRITEBYTECODE", "1");
        env.put("INDELIBLE_URL", "http://127.0.0.1:" + port);
        env.put("INDELIBLE_TOKEN", token);
        if (narrow != null) {
            env.put("INDELIBLE_NARROW_TOKEN", narrow);
        } else {
            env.remove("INDELIBLE_NARROW_TOKEN");
        }
        if (partitionedPort > 0) {
            env.put("INDELIBLE_PARTITIONED_URL", "http://127.0.0.1:" + partitionedPort);
        }
        return builder.start();
    }

    private static Process startNode(Path log, int port, String token, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("node"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("INDELIBLE_URL", "http://127.0.0.1:" + port);
        builder.environment().put("INDELIBLE_TOKEN", token);
        return builder.start();
    }

    private String finish(Process process, int seconds) throws Exception {
        return finish(process, seconds, dir.resolve("python-tests.txt"));
    }

    private static String finish(Process process, int seconds, Path log) throws Exception {
        boolean done = process.waitFor(seconds, TimeUnit.SECONDS);
        if (!done) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        if (!done) {
            fail("python did not finish within " + seconds + " s:\n" + out);
        }
        return out;
    }

    /** Waits until the soak reports at least {@code acked} acknowledgements. */
    private static void awaitAcked(Path log, Process soak, int acked, int seconds) throws Exception {
        Pattern progress = Pattern.compile("progress acked=(\\d+)");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            String out = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
            Matcher m = progress.matcher(out);
            long last = 0;
            while (m.find()) {
                last = Long.parseLong(m.group(1));
            }
            if (last >= acked) {
                return;
            }
            if (!soak.isAlive()) {
                fail("the soak producer ended before " + acked + " acknowledgements:\n" + out);
            }
            Thread.sleep(20);
        }
        fail("no " + acked + " acknowledgements within " + seconds + " s:\n" + Files.readString(log));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static boolean onPath(String program) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, program))) {
                return true;
            }
        }
        return false;
    }
}
