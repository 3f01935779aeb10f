package dev.indelible.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's refusals. The whole demo (child processes, kill -9 and all) runs once in CI, from the
 * release as users get it: distribution's ReleaseTarballTest.
 */
@Tag("system")
class DemoCommandTest {
    @TempDir
    Path tmp;

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
