package dev.indelible.ledger.testing;

import dev.indelible.ledger.JavaCommand;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM running a main class with this JVM's class path and flags (the parent pom's list,
 * passed by surefire), so tests use real OS processes. Its stdout goes to a file beside its stderr
 * file, read as lines on demand: what the child printed before it was stopped or killed is there
 * once its write returned, with no reader thread to wait for. It exits when this JVM dies (see
 * {@link ExitWithParent}): its stdin is that lifeline, not input.
 *
 * <p>Thread-safe.
 */
public final class ChildJvm implements AutoCloseable {
    /**
     * Most children live a few seconds: C2 would compile code they never run long enough to gain
     * from, and G1 would start threads they never need. C1 alone halves a child's start-up CPU
     * (1.9 s to 1.1 s for the CLI's {@code status}), and the suite starts hundreds of them.
     */
    private static final List<String> QUICK_START = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

    /** An option for a child that works long enough for C2 to pay (a server under load for minutes). */
    public static final String FULL_JIT = "-XX:TieredStopAtLevel=4";

    private final Process process;
    private final Path stdout;
    private final Path stderr;
    private final List<String> lines = new ArrayList<>();
    private final ByteArrayOutputStream partialLine = new ByteArrayOutputStream();
    private long stdoutRead;

    private ChildJvm(Process process, Path stdout, Path stderr) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
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
        List<String> options = new ArrayList<>(QUICK_START);
        options.addAll(jvmOptions);
        return launch(wrapper, options, main, stderr, true, args);
    }

    private static ChildJvm launch(List<String> wrapper, List<String> jvmOptions, Class<?> main, Path stderr,
                                   boolean inherit, String... args) throws IOException {
        List<String> command = new ArrayList<>(wrapper);
        command.addAll(inherit ? JavaCommand.likeThisJvm(jvmOptions) : JavaCommand.bare(jvmOptions));
        command.add(ExitWithParent.class.getName());
        command.add(main.getName());
        command.addAll(List.of(args));
        Path stdout = stderr.resolveSibling(stderr.getFileName() + ".stdout");
        // stdin stays a pipe this JVM never writes to: it closes when this JVM dies, and the child halts
        Process process = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        return new ChildJvm(process, stdout, stderr);
    }

    /** Reads what the child appended to its stdout file since the last call; a line counts once its newline is there. */
    private synchronized List<String> readLines() {
        try (FileChannel file = FileChannel.open(stdout, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate(64 << 10);
            for (int n = file.read(buffer, stdoutRead); n > 0; n = file.read(buffer, stdoutRead)) {
                stdoutRead += n;
                for (int i = 0; i < n; i++) {
                    byte b = buffer.get(i);
                    if (b == '\n') {
                        lines.add(partialLine.toString(StandardCharsets.UTF_8));
                        partialLine.reset();
                    } else {
                        partialLine.write(b);
                    }
                }
                buffer.clear();
            }
        } catch (NoSuchFileException beforeStart) {
            // nothing printed yet
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read the child's stdout " + stdout, e);
        }
        return lines;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    /** The lines the child printed so far: exactly those whose write returned before this call. */
    public synchronized int linesSoFar() {
        return readLines().size();
    }

    /** Every line printed so far; after {@link #kill9()} or an exit, all the child printed. */
    public synchronized List<String> lines() {
        return List.copyOf(readLines());
    }

    /** Waits until the child printed {@code count} lines, or fails showing its stderr if it exits or the time passes. */
    public void awaitLines(int count, long timeoutSeconds) throws Exception {
        Await.await(() -> linesSoFar() >= count || !process.isAlive(), Duration.ofSeconds(timeoutSeconds),
            () -> "child printed " + linesSoFar() + " of " + count + " lines; stderr:\n" + stderrText());
        if (linesSoFar() < count) {
            throw new AssertionError("child exited " + process.exitValue() + " after printing " + linesSoFar() + " of "
                + count + " lines; stderr:\n" + stderrText());
        }
    }

    /** SIGKILL: no shutdown hook, no close, no flush. */
    public void kill9() throws Exception {
        new ProcessBuilder("kill", "-9", Long.toString(process.pid())).start().waitFor();
        process.waitFor();
    }

    /**
     * SIGSTOP, returning once every thread of the child is stopped: a system call in progress
     * (an fdatasync) has completed, and nothing more reaches the disk until {@link #resume()}.
     */
    public void pause() throws Exception {
        signal("STOP");
        Path tasks = Path.of("/proc", Long.toString(process.pid()), "task");
        Await.await(() -> allStopped(tasks), Duration.ofSeconds(30), () -> "child " + process.pid() + " still running");
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
        try (var threads = Files.list(tasks)) {
            for (Path task : (Iterable<Path>) threads::iterator) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"));
                } catch (NoSuchFileException exited) {
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
        // Not Process.destroy(): it also closes the child's stdin, which the child takes for this JVM's death.
        process.toHandle().destroy();
    }

    /** Waits for the child to exit and returns its exit code. */
    public int awaitExit(long timeoutSeconds) throws Exception {
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("child still running after " + timeoutSeconds + " s; stderr:\n" + stderrText());
        }
        return process.exitValue();
    }

    public String stderrText() {
        try {
            return Files.readString(stderr);
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
        if (process.exitValue() != 0) {
            throw new AssertionError("child exited " + process.exitValue() + "; stderr:\n" + stderrText());
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
