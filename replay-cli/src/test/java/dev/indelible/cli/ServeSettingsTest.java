package dev.indelible.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.indelible.ledger.JavaCommand;
import dev.indelible.ledger.testing.Await;
import dev.indelible.ledger.testing.ChildJvm;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** serve's settings: a flag, then the environment, then the config file, then the default; a bad file is refused. */
@Tag("system")
class ServeSettingsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path tmp;

    @Test
    void shouldRefuseAnUnknownKeyNamingItsLineBeforeTouchingTheDataDirectory() throws IOException {
        Path config = config("# settings", "port = 0", "prot = 7171");
        Path missing = tmp.resolve("missing");

        Cli.Result refused = new Cli(missing).run("serve", "--config", config.toString()).expect(Main.USAGE);

        assertTrue(refused.err().contains(config + " line 3: unknown key 'prot'; the keys are serve's options without"
            + " their dashes: advertise, bind, cluster, cluster-heartbeat, cluster-session-timeout, cluster-token-file,"
            + " data, durability, fence-cluster, free-space-reserve, grpc-port, idle-timeout, insecure, journal,"
            + " log-file, log-format, max-events, max-request-bytes, no-projections, port, tls-cert, tls-key"),
            refused.err());
        assertFalse(Files.exists(missing), "a refused serve created the data directory");
    }

    @Test
    void shouldRefuseALineThatIsNotASetting() throws IOException {
        Path config = config("port 7171");

        Cli.Result refused = new Cli(tmp.resolve("data")).run("serve", "--config=" + config).expect(Main.USAGE);

        assertTrue(refused.err().contains(config + " line 1: not `key = value`: port 7171"), refused.err());
    }

    @Test
    void shouldTakeTheFileWhereNoOptionIsGiven() throws IOException {
        // The checks run in order: max-events before idle-timeout.
        Path config = config("max-events = 0", "idle-timeout = 0");
        Cli cli = new Cli(tmp.resolve("data"));

        Cli.Result fromFile = cli.run("serve", "--config", config.toString()).expect(Main.USAGE);
        Cli.Result flagWins = cli.run("serve", "--config", config.toString(), "--max-events", "5").expect(Main.USAGE);

        assertTrue(fromFile.err().contains("max-events: must be at least 1, was 0"), fromFile.err());
        assertTrue(flagWins.err().contains("idle-timeout: must be positive"), flagWins.err());
    }

    @Test
    void shouldTakeTheEnvironmentOverTheFileAndFindTheFileInTheEnvironment() throws Exception {
        Path config = config("max-events = 5", "idle-timeout = 0");

        String envWins = refusedInChild(Map.of("INDELIBLE_CONFIG", config.toString(), "INDELIBLE_MAX_EVENTS", "0"));
        String fileRead = refusedInChild(Map.of("INDELIBLE_CONFIG", config.toString()));

        assertTrue(envWins.contains("max-events: must be at least 1, was 0"), envWins);
        assertTrue(fileRead.contains("idle-timeout: must be positive"), fileRead);
    }

    @Test
    void shouldServeWithTheFilesSettingsAndAFlagBeforeTheSubcommandWinning() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Path data = tmp.resolve("data");
        Path log = tmp.resolve("serve.log");
        Path config = config("data = " + tmp.resolve("not-this-one"), "port = " + port, "grpc-port = 0",
            "durability = SYNC", "no-projections = true", "log-file = " + log, "log-format = json");

        try (ChildJvm server = ChildJvm.start(Main.class, tmp.resolve("serve.err"), "--data", data.toString(), "serve",
                "--config", config.toString())) {
            server.awaitLines(1, 120);
            String serving = server.lines().get(0);
            assertTrue(serving.startsWith("serving " + data.toAbsolutePath() + ": HTTP on http://127.0.0.1:" + port + ","),
                serving);
            assertTrue(serving.contains("(SYNC)"), serving);
            server.awaitLines(2, 30);
            assertTrue(server.lines().get(1).startsWith("web console on http://127.0.0.1:" + port + "/console/ "),
                server.lines().get(1));
            String started = startUpLine(log);
            assertTrue(started.matches("indelible \\S+ serving " + Pattern.quote(data.toAbsolutePath().toString())
                + " \\(journal embedded\\): HTTP on 127\\.0\\.0\\.1:" + port + ", gRPC on 127\\.0\\.0\\.1:\\d+,"
                + " TLS off, durability SYNC, projections off"), started);
        }
        assertFalse(Files.exists(tmp.resolve("not-this-one")));
    }

    @Test
    void shouldRefuseALogFileItCannotWrite() throws IOException {
        Path config = config("log-file = " + tmp.resolve("no-such-dir").resolve("serve.log"));
        Path missing = tmp.resolve("missing");

        Cli.Result refused = new Cli(missing).run("serve", "--config", config.toString()).expect(Main.USAGE);

        assertTrue(refused.err().contains("log-file: cannot write " + tmp.resolve("no-such-dir")), refused.err());
        assertFalse(Files.exists(missing));
    }

    /** The message of the JSON line that announces the server: every line of the file must be a JSON object. */
    private static String startUpLine(Path log) throws Exception {
        String[] found = {null};
        Await.await(() -> (found[0] = startUpLineSoFar(log)) != null, Duration.ofSeconds(30), () -> "the lines of " + log);
        return found[0];
    }

    private static String startUpLineSoFar(Path log) throws IOException {
        List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
        for (int i = 0; i < lines.size(); i++) {
            JsonNode entry;
            try {
                entry = JSON.readTree(lines.get(i));
            } catch (JsonProcessingException e) {
                assertEquals(lines.size() - 1, i, "not a JSON line: " + lines.get(i));
                return null; // the last line, still being written
            }
            if (entry.path("formattedMessage").asText().contains(" serving ")) {
                assertEquals("INFO", entry.path("level").asText(), lines.get(i));
                return entry.path("formattedMessage").asText();
            }
        }
        return null;
    }

    private Path config(String... lines) throws IOException {
        return Files.write(tmp.resolve("indelible.conf"), List.of(lines), StandardCharsets.UTF_8);
    }

    /** Runs serve in a child with {@code env}; it must refuse: returns its stderr. */
    private String refusedInChild(Map<String, String> env) throws Exception {
        Path err = tmp.resolve("child-" + System.nanoTime() + ".err");
        List<String> command = new ArrayList<>(JavaCommand.bare(List.of()));
        command.addAll(List.of(Main.class.getName(), "serve", "--data", tmp.resolve("data").toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(err.toFile())
            .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().keySet().removeIf(k -> k.startsWith("INDELIBLE_"));
        builder.environment().putAll(env);
        Process child = builder.start();
        if (!child.waitFor(120, TimeUnit.SECONDS)) {
            child.destroyForcibly();
            throw new AssertionError("serve did not exit within 120 s: " + Files.readString(err));
        }
        assertEquals(Main.USAGE, child.exitValue(), () -> "exit code; stderr: " + readQuietly(err));
        return Files.readString(err);
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
