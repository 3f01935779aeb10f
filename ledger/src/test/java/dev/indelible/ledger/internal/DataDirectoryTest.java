package dev.indelible.ledger.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.LedgerException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tests run as root here, which bypasses access checks: they check permission bits, not access. */
class DataDirectoryTest {
    @TempDir
    Path tmp;

    @Test
    void shouldCreateTheDataDirectoryAndJournalFilesOwnerOnly() throws IOException {
        Path data = tmp.resolve("data");
        try (Ledger ledger = Ledger.open(data, LedgerConfig.defaults())) {
            ledger.append("s", -2, dev.indelible.ledger.EventData.protobuf("t", new byte[] {1}));
        }

        assertEquals("rwx------", permissions(data));
        assertEquals("rwx------", permissions(data.resolve("journal")));
        try (Stream<Path> files = Files.list(data.resolve("journal"))) {
            for (Path file : files.toList()) {
                assertEquals("rw-------", permissions(file), file.toString());
            }
        }
    }

    @Test
    void shouldRefuseAWorldWritableDirectoryNamingThePathAndTheFix() throws IOException {
        Path data = Files.createDirectory(tmp.resolve("shared"));
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxrwxrwx"));

        LedgerException e = assertThrows(LedgerException.class, () -> DataDirectory.prepare(data));

        assertTrue(e.getMessage().contains(data.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("rwxrwxrwx"), e.getMessage());
        assertTrue(e.getMessage().contains("chmod 700 " + data), e.getMessage());
        assertFalse(Files.exists(data.resolve("journal")), "nothing is created inside a refused directory");
    }

    @Test
    void shouldRefuseAGroupWritableJournalFile() throws IOException {
        Path data = tmp.resolve("data");
        DataDirectory.prepare(data);
        Path file = Files.createFile(data.resolve("journal").resolve("20261124F.cq4"));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw----"));

        LedgerException e = assertThrows(LedgerException.class, () -> DataDirectory.prepare(data));

        assertTrue(e.getMessage().contains("chmod 600 " + file), e.getMessage());
    }

    @Test
    void shouldRefuseARegularFileAsTheDataDirectory() throws IOException {
        Path file = Files.createFile(tmp.resolve("not-a-dir"));

        LedgerException e = assertThrows(LedgerException.class, () -> DataDirectory.prepare(file));

        assertTrue(e.getMessage().contains("is not a directory"), e.getMessage());
    }

    @Test
    void shouldWarnThatADirectoryOnTmpfsWillNotSurviveTheContainer() throws IOException {
        Path shm = Path.of("/dev/shm");
        assumeTrue(Files.isDirectory(shm) && "tmpfs".equals(Files.getFileStore(shm).type()), "no tmpfs at /dev/shm");
        Path data = Files.createTempDirectory(shm, "indelible-test");
        try {
            DataDirectory dir = DataDirectory.prepare(data.resolve("data"));

            assertEquals(1, dir.warnings().size(), dir.warnings().toString());
            assertTrue(dir.warnings().get(0).contains("tmpfs"), dir.warnings().get(0));
            assertTrue(dir.warnings().get(0).contains("will not survive"), dir.warnings().get(0));
        } finally {
            try (Stream<Path> all = Files.walk(data)) {
                all.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static String permissions(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }
}
