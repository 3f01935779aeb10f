package dev.indelible.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.indelible.ledger.RecordedEvent;
import dev.indelible.projections.proto.SelfieSubmitted;
import dev.indelible.projections.reference.DomainEvents;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The selfie incident replayed across languages: the examples in examples/ against a real server. */
@Tag("system")
class ExamplesTest {
    private static final Path EXAMPLES = Path.of("..", "examples").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    @Test
    void shouldKeepEverySelfieFromPythonAndNodeSubmittingAtOnce() throws Exception {
        assumeTrue(onPath("python3") && onPath("node"), "python3 and node are needed on the PATH");
        try (ServerFixture f = new ServerFixture(dir)) {
            String token = f.token("selfie-bot", "selfies-*", Verb.APPEND);
            String url = "http://127.0.0.1:" + f.server.port();
            Process python = run(token, "python3", EXAMPLES.resolve("python/submit_selfies.py").toString(), "--url", url);
            Process node = run(token, "node", EXAMPLES.resolve("node/submit_selfies.mjs").toString(), "--url", url);
            String pythonOut = finish(python);
            String nodeOut = finish(node);
            assertTrue(pythonOut.startsWith("python: 1000 of 1000 selfies acknowledged from 4 workers"), pythonOut);
            assertTrue(nodeOut.startsWith("node: 1000 of 1000 selfies acknowledged from 4 workers"), nodeOut);

            Map<String, Integer> fileIds = new HashMap<>();
            for (RecordedEvent e : f.ledger.read(0, 10_000)) {
                if (e.type().equals(DomainEvents.SELFIE_SUBMITTED)) {
                    fileIds.merge(DomainEvents.parse(e, SelfieSubmitted.class).getFileId(), 1, Integer::sum);
                }
            }
            for (String prefix : List.of("py-", "node-")) {
                for (int i = 0; i < 1000; i++) {
                    assertEquals(1, fileIds.getOrDefault(prefix + i, 0), prefix + i + " stored once");
                }
            }
            assertEquals(2000, fileIds.size());
        }
    }

    private static Process run(String token, String... command) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("INDELIBLE_TOKEN", token);
        return builder.start();
    }

    private static String finish(Process process) throws Exception {
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "example finished");
        String out = new String(process.getInputStream().readAllBytes()).strip();
        assertEquals(0, process.exitValue(), out);
        return out;
    }

    private static boolean onPath(String program) {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
        return dirs.stream().anyMatch(d -> Files.isExecutable(Path.of(d, program)));
    }
}
