package dev.indelible.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A file is replaced whole or not at all, owner-only, and nothing is moved over another file. */
class AtomicFileTest {
    @TempDir
    Path dir;

    @Test
    void shouldReplaceAFileWholeOwnerOnlyAndLeaveNoTempFile() throws IOException {
        Path file = dir.resolve("new-dir").resolve("CURRENT");

        AtomicFile.write(file, "v1-000001\n".getBytes(StandardCharsets.UTF_8));
        AtomicFile.write(file, "v1-000002\n".getBytes(StandardCharsets.UTF_8));

        assertEquals("v1-000002\n", Files.readString(file));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
        assertEquals(List.of(file), list(file.getParent()));
    }

    @Test
    void shouldKeepTheOldFileWhenWritingTheNewOneFails() throws IOException {
        Path file = dir.resolve("tokens.json");
        byte[] old = "{\"tokens\": []}".getBytes(StandardCharsets.UTF_8);
        AtomicFile.write(file, old);

        IOException failure = assertThrows(IOException.class, () -> AtomicFile.write(file, out -> {
            out.write("{\"tok".getBytes(StandardCharsets.UTF_8));
            throw new IOException("disk full");
        }));

        assertEquals("disk full", failure.getMessage());
        assertArrayEquals(old, Files.readAllBytes(file));
        assertEquals(List.of(file), list(dir), "the half-written temp file is gone");
    }

    @Test
    void shouldMoveAsideButNeverOverAnotherFile() throws IOException {
        Path from = Files.writeString(dir.resolve("journal"), "events");
        Path aside = dir.resolve("aside").resolve("journal");
        Files.createDirectories(aside.getParent());
        Path taken = Files.writeString(dir.resolve("taken"), "kept");

        assertThrows(FileAlreadyExistsException.class, () -> AtomicFile.move(from, taken));
        assertEquals("kept", Files.readString(taken));
        AtomicFile.move(from, aside);

        assertFalse(Files.exists(from));
        assertEquals("events", Files.readString(aside));
        assertTrue(Files.exists(taken));
    }

    @Test
    void shouldDeleteTheTempOfAWriterThatDiedButNotALiveOnesAtTheNextWrite() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Path file = dir.resolve("tokens.json");
        Path abandoned = Files.writeString(dir.resolve("tokens.json." + gone.pid() + ".1.tmp"), "half a file");
        Path live = Files.writeString(dir.resolve("tokens.json." + ProcessHandle.current().pid() + ".2.tmp"), "in progress");
        Path notOurs = Files.writeString(dir.resolve("tokens.json.backup.tmp"), "someone's");

        AtomicFile.write(file, "{}".getBytes(StandardCharsets.UTF_8));

        assertEquals(List.of(file, live, notOurs), list(dir));
        assertFalse(Files.exists(abandoned));
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.sorted().toList();
        }
    }
}
