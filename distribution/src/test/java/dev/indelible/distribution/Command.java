package dev.indelible.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A process of the release (bin/indelible, dpkg, ...), started in a directory with an environment
 * of its own; stdout is collected line by line as it arrives, stderr goes to a file shown on failure.
 * Thread-safe.
 */
final class Command implements AutoCloseable {
    private static final Pattern HTTP_PORT = Pattern.compile("https?://[^:]+:(\\d+),");

    private final List<String> argv;
    private final Process process;
    private final Path stderr;
    private final ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();
    private final Thread pump;

    private Command(List<String> argv, Process process, Path stderr) {
        this.argv = argv;
        this.process = process;
        this.stderr = stderr;
        this.pump = new Thread(this::pumpLines, "stdout-" + process.pid());
        pump.setDaemon(true);
        pump.start();
    }

    /** Starts {@code argv} in {@code dir}; {@code env} replaces the whole environment when not null. */
    static Command start(Path dir, Map<String, String> env, List<String> argv) {
        try {
            Path stderr = Files.createTempFile("command-", ".err");
            ProcessBuilder builder = new ProcessBuilder(argv).directory(dir.toFile()).redirectError(stderr.toFile());
            if (env != null) {
                builder.environment().clear();
                builder.environment().putAll(env);
            }
            return new Command(List.copyOf(argv), builder.start(), stderr);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + argv, e);
        }
    }

    /** Runs {@code argv} to its end within {@code seconds}, expecting exit 0; returns its stdout. */
    static String run(Path dir, Map<String, String> env, int seconds, List<String> argv) {
        try (Command command = start(dir, env, argv)) {
            command.expectExit(seconds, 0);
            return command.stdout();
        }
    }

    /** The exit code; fails when the process has not ended within {@code seconds}. */
    int awaitExit(int seconds) {
        try {
            assertTrue(process.waitFor(seconds, TimeUnit.SECONDS), () -> argv + " still running after " + seconds + " s" + report());
            pump.join(TimeUnit.SECONDS.toMillis(seconds));
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    void expectExit(int seconds, int expected) {
        int code = awaitExit(seconds);
        assertEquals(expected, code, () -> argv + " exit code" + report());
    }

    /** Waits up to {@code seconds} for a line containing {@code text}; returns it. */
    String awaitLine(String text, int seconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            for (String line : lines) {
                if (line.contains(text)) {
                    return line;
                }
            }
            assertTrue(process.isAlive() || pump.isAlive(), () -> argv + " ended without printing '" + text + "'" + report());
            sleepBriefly();
        }
        throw new AssertionError(argv + ": no line with '" + text + "' within " + seconds + " s" + report());
    }

    /** The HTTP port `serve` printed in its first line. */
    int servedPort(int seconds) {
        Matcher m = HTTP_PORT.matcher(awaitLine("serving ", seconds));
        assertTrue(m.find(), () -> "no port in " + lines);
        return Integer.parseInt(m.group(1));
    }

    /** SIGTERM, as systemd stops a service; the output is still read (Process.destroy would close it). */
    void terminate() {
        process.toHandle().destroy();
    }

    String stdout() {
        return String.join("\n", new ArrayList<>(lines));
    }

    private String report() {
        String err;
        try {
            err = Files.readString(stderr);
        } catch (IOException e) {
            err = "(stderr unreadable: " + e + ")";
        }
        return "\nstdout:\n" + stdout() + "\nstderr:\n" + err;
    }

    private void pumpLines() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lines.add(line);
            }
        } catch (IOException e) {
            // the process ended: the lines read so far are its output
        }
    }

    private static void sleepBriefly() {
        try {
            TimeUnit.MILLISECONDS.sleep(20); // polling the collected lines, not waiting for an outcome
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            Files.deleteIfExists(stderr);
        } catch (IOException e) {
            // a temp file left behind
        }
    }
}
