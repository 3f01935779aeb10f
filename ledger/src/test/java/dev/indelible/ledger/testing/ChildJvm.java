package dev.indelible.ledger.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM running a main class with this JVM's class path and flags (the parent pom's list,
 * passed by surefire), so tests use real OS processes. Stdout is collected line by line as it
 * arrives; stderr goes to a file shown when the child fails.
 *
 * <p>Thread-safe.
 */
public final class ChildJvm implements AutoCloseable {
    private final Process process;
    private final ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();
    private final Thread pump;
    private final Path stderr;

    private ChildJvm(Process process, Path stderr) {
        this.process = process;
        this.stderr = stderr;
        this.pump = new Thread(this::pumpLines, "child-stdout-" + process.pid());
        pump.setDaemon(true);
        pump.start();
    }

    /** Starts {@code main} with {@code args}; its stderr goes to {@code stderr}. */
    public static ChildJvm start(Class<?> main, Path stderr, String... args) throws IOException {
        return startUnder(List.of(), main, stderr, args);
    }

    /** Starts {@code main} under a wrapper command, e.g. {@code unshare --pid --fork}. */
    public static ChildJvm startUnder(List<String> wrapper, Class<?> main, Path stderr, String... args) throws IOException {
        return launch(wrapper, List.of(), main, stderr, args);
    }

    /** Starts {@code main} with JVM options of its own (e.g. {@code -Dindelible.killPoint=...}) after this JVM's. */
    public static ChildJvm startWith(List<String> jvmOptions, Class<?> main, Path stderr, String... args) throws IOException {
        return launch(List.of(), jvmOptions, main, stderr, args);
    }

    /** Starts {@code main} with only {@code jvmOptions}: none of this JVM's flags, not even Chronicle's. */
    public static ChildJvm startBare(List<String> jvmOptions, Class<?> main, Path stderr, String... args) throws IOException {
        return launch(List.of(), jvmOptions, main, stderr, false, args);
    }

    private static ChildJvm launch(List<String> wrapper, List<String> jvmOptions, Class<?> main, Path stderr,
                                   String... args) throws IOException {
        return launch(wrapper, jvmOptions, main, stderr, true, args);
    }

    private static ChildJvm launch(List<String> wrapper, List<String> jvmOptions, Class<?> main, Path stderr,
                                   boolean inherit, String... args) throws IOException {
        List<String> command = new ArrayList<>(wrapper);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (inherit && (arg.startsWith("--add-") || arg.startsWith("-D") || arg.startsWith("-Xmx"))) {
                command.add(arg);
            }
        }
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main.getName());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
        return new ChildJvm(process, stderr);
    }

    private void pumpLines() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lines.add(line);
            }
        } catch (IOException e) {
            // killed: what was read is what the child printed
        }
    }

    public long pid() {
        return process.pid();
    }

    public int linesSoFar() {
        return lines.size();
    }

    /** Every line read; after {@link #kill9()} or {@link #waitFor}, all the child printed. */
    public List<String> lines() {
        return List.copyOf(lines);
    }

    /** Waits until the child printed {@code count} lines, or fails showing its stderr. */
    public void awaitLines(int count, long timeoutSeconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (lines.size() < count) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("child printed " + lines.size() + " of " + count + " lines; stderr:\n" + stderrText());
            }
            TimeUnit.MILLISECONDS.sleep(1);
        }
    }

    /** SIGKILL: no shutdown hook, no close, no flush. */
    public void kill9() throws Exception {
        new ProcessBuilder("kill", "-9", Long.toString(process.pid())).start().waitFor();
        process.waitFor();
        pump.join();
    }

    /**
     * SIGSTOP, returning once every thread of the child is stopped: a system call in progress
     * (an fdatasync) has completed, and nothing more reaches the disk until {@link #resume()}.
     */
    public void pause() throws Exception {
        signal("STOP");
        Path tasks = Path.of("/proc", Long.toString(process.pid()), "task");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!allStopped(tasks)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("child " + process.pid() + " did not stop within 30 s");
            }
            TimeUnit.MILLISECONDS.sleep(1);
        }
    }

    /** SIGCONT after {@link #pause()}. */
    public void resume() throws Exception {
        signal("CONT");
    }

    private void signal(String name) throws Exception {
        int exit = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start().waitFor();
        if (exit != 0) {
            throw new AssertionError("kill -" + name + " " + process.pid() + " exited " + exit);
        }
    }

    private static boolean allStopped(Path tasks) throws IOException {
        try (var threads = java.nio.file.Files.list(tasks)) {
            for (Path task : (Iterable<Path>) threads::iterator) {
                String stat;
                try {
                    stat = java.nio.file.Files.readString(task.resolve("stat"));
                } catch (java.nio.file.NoSuchFileException exited) {
                    continue;
                }
                // The state follows the parenthesised command name, which may itself hold spaces.
                char state = stat.charAt(stat.lastIndexOf(')') + 2);
                if (state != 'T' && state != 't') {
                    return false;
                }
            }
        }
        return true;
    }

    /** SIGTERM: the child's shutdown hooks run. Returns at once; see {@link #awaitExit}. */
    public void terminate() {
        process.destroy();
    }

    /** Waits for the child to exit and returns its exit code. */
    public int awaitExit(long timeoutSeconds) throws Exception {
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("child still running after " + timeoutSeconds + " s; stderr:\n" + stderrText());
        }
        pump.join();
        return process.exitValue();
    }

    public String stderrText() {
        try {
            return java.nio.file.Files.readString(stderr);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    /** Waits for a normal exit and fails with the child's stderr otherwise. */
    public void awaitSuccess(long timeoutSeconds) throws Exception {
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("child still running after " + timeoutSeconds + " s; stderr:\n" + stderrText());
        }
        pump.join();
        if (process.exitValue() != 0) {
            throw new AssertionError("child exited " + process.exitValue() + "; stderr:\n" + stderrText());
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
