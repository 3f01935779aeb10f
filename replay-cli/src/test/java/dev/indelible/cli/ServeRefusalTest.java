package dev.indelible.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.indelible.ledger.testing.ChildJvm;
import dev.indelible.server.Tokens;
import dev.indelible.server.Verb;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every refusal of serve comes before the data directory is created or opened: nothing is left behind. */
@Tag("system")
class ServeRefusalTest {
    @TempDir
    Path tmp;

    static Stream<Arguments> refusals() {
        return Stream.of(
            Arguments.of(List.of("--bind", "0.0.0.0", "--port", "0"), "bind: 0.0.0.0 is not a loopback address"),
            Arguments.of(List.of("--no-such-option"), "Unknown option: '--no-such-option'"),
            Arguments.of(List.of("--durability", "FAST"), "Invalid value for option '--durability'"),
            Arguments.of(List.of("--port", "70000"), "port: must be 0 to 65535"),
            Arguments.of(List.of("--max-events", "0"), "max-events: must be at least 1, was 0"),
            Arguments.of(List.of("--max-request-bytes", "-1"), "max-request-bytes: must be at least 1, was -1"),
            Arguments.of(List.of("--idle-timeout", "0"), "idle-timeout: must be positive"),
            Arguments.of(List.of("--tls-cert", "no-such.pem", "--tls-key", "no-such.key"), "tls-cert: cannot read"),
            Arguments.of(List.of("--tls-cert", "no-such.pem"), "tls-cert/tls-key: give both or neither"),
            Arguments.of(List.of("--free-space-reserve", "lots"), "--free-space-reserve: a size is bytes"),
            Arguments.of(List.of("--journal", "kafka://"), "journal"),
            Arguments.of(List.of("--cluster"), "cluster: needs --journal kafka://"),
            Arguments.of(List.of("--cluster", "--journal", "kafka://127.0.0.1:9/t"), "cluster-token-file: is required"),
            Arguments.of(List.of("--cluster", "--journal", "kafka://127.0.0.1:9/t", "--cluster-token-file", "no-such.token"),
                "cluster-token-file: cannot read"),
            Arguments.of(List.of("--cluster", "--journal", "kafka://127.0.0.1:9/t?partitions=3"),
                "cluster-token-file: is required"), // a journal over several partitions is taken
            Arguments.of(List.of("--journal", "kafka://127.0.0.1:9/t?partitions=0"), "partitions"));
    }

    @ParameterizedTest
    @MethodSource("refusals")
    void shouldRefuseLeavingAMissingDataDirectoryMissing(List<String> options, String reason) {
        Path missing = tmp.resolve("missing");
        assertRefused(missing, options, reason);
        assertFalse(Files.exists(missing), "a refused serve created " + missing);
    }

    @ParameterizedTest
    @MethodSource("refusals")
    void shouldRefuseLeavingAnEmptyDataDirectoryEmpty(List<String> options, String reason) throws IOException {
        Path empty = Files.createDirectory(tmp.resolve("empty"));
        assertRefused(empty, options, reason);
        assertEmpty(empty);
    }

    @Test
    void shouldRefuseAPortInUseLeavingTheDataDirectoryAsItWas() throws IOException {
        Path missing = tmp.resolve("missing");
        Path empty = Files.createDirectory(tmp.resolve("empty"));
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String port = Integer.toString(taken.getLocalPort());
            assertRefused(missing, List.of("--port", port, "--grpc-port", "0"), "port: cannot listen on 127.0.0.1:" + port);
            assertRefused(empty, List.of("--port", "0", "--grpc-port", port), "grpc-port: cannot listen on 127.0.0.1:" + port);
        }
        assertFalse(Files.exists(missing));
        assertEmpty(empty);
    }

    @Test
    void shouldServeOnThePortItCheckedFirst() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        try (ChildJvm server = ChildJvm.start(Main.class, tmp.resolve("serve.err"), "serve", "--data", tmp.resolve("data").toString(),
                "--port", Integer.toString(port), "--grpc-port", "0", "--no-projections")) {
            server.awaitLines(1, 120);
            assertTrue(server.lines().get(0).contains("http://127.0.0.1:" + port + ","), server.lines().get(0));
            HttpResponse<String> live = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/health/live")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, live.statusCode(), live.body());
        }
    }

    @Test
    void shouldRefuseAClusterTokenWithoutTheAdminVerbBeforeOpeningAnything() throws IOException {
        Path data = Files.createDirectory(tmp.resolve("node"));
        String secret = Tokens.open(data).create("cluster", List.of("*"), EnumSet.of(Verb.APPEND, Verb.READ)).secret();
        Path tokenFile = Files.writeString(tmp.resolve("cluster.token"), secret);
        assertRefused(data, List.of("--cluster", "--journal", "kafka://127.0.0.1:9/t", "--cluster-token-file", tokenFile.toString()),
            "cluster-token-file: token cluster needs the append and admin verbs on every stream (it has [append, read])");
        try (Stream<Path> files = Files.list(data)) {
            assertEquals(List.of(data.resolve("server")), files.toList(), "only the token file it was given");
        }
    }

    private static void assertRefused(Path data, List<String> options, String reason) {
        List<String> args = new ArrayList<>(List.of("serve", "--data", data.toString()));
        args.addAll(options);
        Cli.Result refused = new Cli(data).run(args.toArray(String[]::new)).expect(Main.USAGE);
        assertTrue(refused.err().contains(reason), () -> options + ": " + refused.err());
    }

    private static void assertEmpty(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(), files.toList(), "a refused serve wrote into " + dir);
        }
    }
}
