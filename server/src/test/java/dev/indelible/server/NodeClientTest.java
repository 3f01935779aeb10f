package dev.indelible.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Node client in clients/node: its own `node --test` suite against a real server. */
@Tag("system")
class NodeClientTest {
    private static final Path CLIENT = Path.of("..", "clients", "node").toAbsolutePath().normalize();
    /** The tests in clients/node/test/*.test.js; a change there changes this. */
    private static final int EXPECTED_TESTS = 22;

    @TempDir
    Path dir;

    @Test
    void shouldPassTheNodeClientSuiteAgainstARealServer() throws Exception {
        assumeTrue(onPath("node"), "node is needed on the PATH");
        try (ServerFixture f = new ServerFixture(dir);
             ThreePartitions.Served partitioned = ThreePartitions.serve(dir.resolve("partitioned"), f.tokens)) {
            String wide = f.token("node-client", "*", Verb.APPEND, Verb.READ, Verb.QUERY, Verb.STATUS, Verb.ADMIN);
            String narrow = f.token("node-client-selfies", "selfies-*", Verb.APPEND, Verb.READ);
            ProcessBuilder builder = new ProcessBuilder("node", "--test", "--test-reporter=tap")
                .directory(CLIENT.toFile()).redirectErrorStream(true);
            builder.environment().put("INDELIBLE_URL", "http://127.0.0.1:" + f.server.port());
            builder.environment().put("INDELIBLE_TOKEN", wide);
            builder.environment().put("INDELIBLE_NARROW_TOKEN", narrow);
            builder.environment().put("INDELIBLE_PARTITIONED_URL", "http://127.0.0.1:" + partitioned.server().port());
            long started = System.nanoTime();
            Process node = builder.start();
            CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                } catch (java.io.IOException e) {
                    return "could not read the output: " + e;
                }
            });
            boolean finished = node.waitFor(180, TimeUnit.SECONDS);
            if (!finished) {
                node.destroyForcibly();
            }
            String out = output.get(10, TimeUnit.SECONDS);
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
            assertTrue(finished, "node --test finished within 180 s:\n" + out);
            assertEquals(0, node.exitValue(), "node --test failed:\n" + out);
            assertTrue(out.contains("\n# pass " + EXPECTED_TESTS + "\n"), "expected " + EXPECTED_TESTS + " passing tests:\n" + out);
            assertTrue(out.contains("\n# fail 0\n"), out);
            Matcher producer = Pattern.compile("# (producer: .*events/s.*)").matcher(out);
            System.out.println("node client: " + EXPECTED_TESTS + " tests passed in " + seconds + " s; "
                + (producer.find() ? producer.group(1) : "no producer figure in the output"));
        }
    }

    private static boolean onPath(String program) {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
        return dirs.stream().anyMatch(d -> Files.isExecutable(Path.of(d, program)));
    }
}
