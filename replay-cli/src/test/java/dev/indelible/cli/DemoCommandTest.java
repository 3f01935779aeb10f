package dev.indelible.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The main job through the real entry point: child processes, kill -9 and all. */
class DemoCommandTest {
    @TempDir
    Path tmp;

    @Test
    void shouldProveNothingWasLostAndExitZero() {
        assertEquals(Main.OK, Main.run("demo", "--data", tmp.resolve("demo").toString()));
    }

    @Test
    void shouldRefuseANonEmptyDirectoryWithTheUsageExitCode() throws Exception {
        Files.writeString(tmp.resolve("something.txt"), "keep me");

        assertEquals(Main.USAGE, Main.run("demo", "--data", tmp.toString()));
        assertEquals("keep me", Files.readString(tmp.resolve("something.txt")));
    }

    @Test
    void shouldAnswerAnUnknownCommandWithTheUsageExitCode() {
        assertEquals(Main.USAGE, Main.run("no-such-command"));
    }
}
