package dev.indelible.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.indelible.ledger.RecordedEvent;
import dev.indelible.projections.reference.DomainEvents;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gRPC examples against a real server: Python with Debian's python3-grpcio and
 * python3-grpc-tools, Node with @grpc/grpc-js and @grpc/proto-loader's default options. Missing
 * tools fail the test (.ci/run installs them), as PythonClientTest does for python3.
 */
@Tag("system")
class GrpcExamplesTest {
    private static final Path EXAMPLES = Path.of("..", "examples").toAbsolutePath().normalize();
    private static final Pattern OUTPUT = Pattern.compile(
        "(python|node) grpc: appended (\\S+) at global_seq (\\d+); retry duplicate=(?:True|true) at \\3; subscribe received it at \\3; health SERVING");

    @TempDir
    Path dir;

    @Test
    void shouldRunThePythonExampleWithDebiansGrpc() throws Exception {
        Path python = Path.of("/usr/bin/python3");
        assertTrue(Files.isExecutable(python) && run(List.of(python.toString(), "-c", "import grpc, grpc_tools"), Map.of(), 60)
            .startsWith("exit 0"), "Debian's python3-grpcio and python3-grpc-tools are needed for /usr/bin/python3:"
            + " .ci/run installs them (apt-get install python3-grpcio python3-grpc-tools)");
        checkExample(List.of(python.toString(), EXAMPLES.resolve("python/grpc_selfies.py").toString()));
    }

    @Test
    void shouldRunTheNodeExampleWithProtoLoadersDefaults() throws Exception {
        assertTrue(onPath("node") && onPath("npm"), "node and npm are needed on the PATH: .ci/run installs them");
        String npm = run(List.of("npm", "ci", "--no-audit", "--no-fund", "--prefer-offline"), Map.of(), 300);
        assertTrue(npm.startsWith("exit 0"), "npm ci in examples/node (from package-lock.json):\n" + npm);
        checkExample(List.of("node", EXAMPLES.resolve("node/grpc_selfies.mjs").toString()));
    }

    private void checkExample(List<String> command) throws Exception {
        try (ServerFixture f = new ServerFixture(dir)) {
            String token = f.token("selfie-bot", "selfies-*", Verb.APPEND, Verb.READ);
            String out = run(command, Map.of("INDELIBLE_TOKEN", token, "INDELIBLE_GRPC_PORT", String.valueOf(f.server.grpcPort())), 120);
            assertTrue(out.startsWith("exit 0\n"), out);
            Matcher m = OUTPUT.matcher(out);
            assertTrue(m.find(), "the example's summary line:\n" + out);
            System.out.println(m.group());
            List<RecordedEvent> stored = f.ledger.read(0, 1_000).stream()
                .filter(e -> e.type().equals(DomainEvents.SELFIE_SUBMITTED)).toList();
            assertEquals(1, stored.size(), "the retry stored nothing more");
            assertEquals(m.group(2), stored.get(0).eventId().toString(), "stored under the example's event_id");
            assertEquals(Long.parseLong(m.group(3)), stored.get(0).globalSeq());
        }
    }

    /** Runs in examples/node (for npm) with the given environment; "exit N\n" and the output. */
    private static String run(List<String> command, Map<String, String> env, int seconds) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).directory(EXAMPLES.resolve("node").toFile()).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process = builder.start();
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                return "could not read the output: " + e;
            }
        });
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            return "timed out after " + seconds + " s: " + String.join(" ", command) + "\n" + output.get(10, TimeUnit.SECONDS);
        }
        return "exit " + process.exitValue() + "\n" + output.get(10, TimeUnit.SECONDS);
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
