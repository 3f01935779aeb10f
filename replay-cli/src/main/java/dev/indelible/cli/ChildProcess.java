package dev.indelible.cli;

import dev.indelible.ledger.DaemonThreads;
import dev.indelible.ledger.JavaCommand;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Another {@code indelible} JVM with this one's flags and class path; collects its stdout lines. Its
 * stdin is a pipe this JVM never writes to and closes only by dying: a child that watches it for
 * its end ({@code demo-producer}) exits with this JVM.
 */
final class ChildProcess implements AutoCloseable {
    private final Process process;
    private final ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();
    private final Thread pump;

    ChildProcess(String... args) throws IOException {
        List<String> command = new ArrayList<>(JavaCommand.likeThisJvm(List.of()));
        command.add(Main.class.getName());
        command.addAll(List.of(args));
        process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        pump = DaemonThreads.start("child-" + process.pid(), this::pumpLines);
    }

    private void pumpLines() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lines.add(line);
            }
        } catch (IOException e) {
            // the child was killed: the lines read so far are what it acknowledged
        }
    }

    long pid() {
        return process.pid();
    }

    List<String> lines() {
        return List.copyOf(lines);
    }

    int linesSoFar() {
        return lines.size();
    }

    /** SIGKILL on Linux: no shutdown hook, no flush, no close. */
    void killHard() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
        pump.join();
    }

    int waitFor() throws InterruptedException {
        int code = process.waitFor();
        pump.join();
        return code;
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
