package dev.indelible.cli;

import static dev.indelible.ledger.testing.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.indelible.ledger.testing.ChildJvm;
import dev.indelible.server.Tokens;
import dev.indelible.server.Verb;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

/**
 * One {@code indelible serve --cluster} node as a child JVM on 127.0.0.1, without projections: its
 * ports, its address as the other nodes reach it, and each partition's writer as its
 * {@code /status} says. For the cluster tests and measurements that need several.
 *
 * <p>Not thread-safe.
 */
final class ClusterServeNode implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    final int index;
    final int httpPort = freePort();
    final int grpcPort = freePort();
    /** Its gRPC address: what the election and {@code /status} name it by. */
    final String advertised = "127.0.0.1:" + grpcPort;
    final ChildJvm jvm;

    private ClusterServeNode(int index, Path dataDir, Path stderr, String journal, Path tokenFile, List<String> jvmOptions)
        throws IOException {
        this.index = index;
        this.jvm = ChildJvm.startWith(jvmOptions, Main.class, stderr, "serve", "--data", dataDir.toString(),
            "--journal", journal, "--cluster", "--port", Integer.toString(httpPort), "--grpc-port",
            Integer.toString(grpcPort), "--cluster-token-file", tokenFile.toString(), "--no-projections");
    }

    /** Starts node {@code index} of a cluster in {@code dir} ({@code node-<index>/}) with {@code jvmOptions}, returning at once. */
    static ClusterServeNode start(int index, Path dir, String journal, Path tokenFile, List<String> jvmOptions)
        throws IOException {
        return new ClusterServeNode(index, dataDir(dir, index), dir.resolve("node-" + index + ".err"), journal, tokenFile,
            jvmOptions);
    }

    /**
     * A token with append, read and admin on every stream (what the nodes forward with, and what
     * producers may use), in node 0's token file copied to the others'; written to {@code cluster-token}.
     */
    static Path tokenOnEveryNode(Path dir, int nodes) throws IOException {
        String secret = Tokens.open(dataDir(dir, 0)).create("cluster", List.of("*"),
            EnumSet.of(Verb.APPEND, Verb.READ, Verb.ADMIN)).secret();
        for (int i = 1; i < nodes; i++) {
            Tokens.install(dataDir(dir, i), Tokens.stored(dataDir(dir, 0)).orElseThrow());
        }
        return Files.writeString(dir.resolve("cluster-token"), secret);
    }

    private static Path dataDir(Path dir, int index) throws IOException {
        Path data = dir.resolve("node-" + index);
        if (!Files.isDirectory(data)) {
            Files.createDirectories(data, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        return data;
    }

    void awaitServing() throws Exception {
        await(() -> {
            assertTrue(jvm.isAlive(), () -> "node " + index + " exited: " + jvm.stderrText());
            return jvm.lines().stream().anyMatch(l -> l.startsWith("serving "));
        }, Duration.ofSeconds(120), jvm::stderrText);
    }

    /** Each partition's writer as {@code /status} says, partition p at index p, null while none is elected. */
    List<String> writers(String token) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/status"))
            .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(10)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        List<String> writers = new ArrayList<>();
        JSON.readTree(r.body()).get("writers").forEach(w -> writers.add(w.isNull() ? null : w.asText()));
        return writers;
    }

    /** The commits this node's writers made so far ({@code indelible_ledger_syncs_total} of {@code /metrics}). */
    long commits(String token) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/metrics"))
            .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(10)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return r.body().lines().filter(l -> l.startsWith("indelible_ledger_syncs_total "))
            .mapToLong(l -> (long) Double.parseDouble(l.substring(l.indexOf(' ') + 1))).sum();
    }

    String stderrTail() {
        String text = jvm.stderrText();
        return text.substring(Math.max(0, text.length() - 3_000));
    }

    @Override
    public void close() {
        try {
            jvm.kill9();
        } catch (Exception e) {
            // it is gone already
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
