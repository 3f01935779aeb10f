package dev.indelible.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.indelible.ledger.testing.LoopDisk;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The free-space reserve checked on another file system than the journal's (the projections' when
 * they have a disk of their own): appends are refused while that one is short, naming it, and go
 * on once it has room. Needs root to mount a loop disk; skipped with a message otherwise.
 */
@Timeout(60)
class ReserveAlsoOnTest {
    private static final long RESERVE = 8L << 20;

    @TempDir
    Path tmp;

    @Test
    void shouldRefuseAppendsWhileTheOtherFileSystemIsBelowTheReserveAndResumeOnceItHasRoom() throws Exception {
        try (LoopDisk disk = LoopDisk.format(tmp.resolve("disk.img"), "64M", tmp.resolve("mnt"), "rw")) {
            Path projections = disk.mountPoint().resolve("data").resolve("projections"); // not created yet
            LedgerConfig config = LedgerConfig.builder().freeSpaceReserve(RESERVE).reserveAlsoOn(projections).build();
            try (Ledger ledger = Ledger.open(tmp.resolve("data"), config)) {
                append(ledger);
                Path ballast = disk.mountPoint().resolve("ballast");
                fillUntilBelowReserve(ballast);

                JournalFullException refused = assertThrows(JournalFullException.class, () -> append(ledger));
                assertTrue(refused.getMessage().contains("no room kept for " + projections), refused.getMessage());
                assertTrue(refused.getMessage().contains(RESERVE + " kept free"), refused.getMessage());
                assertTrue(refused.freeBytes() < RESERVE, "free " + refused.freeBytes());
                assertEquals(1, ledger.head(), "nothing was written");

                Files.delete(ballast);
                append(ledger);
                assertEquals(2, ledger.head());
            }
        }
    }

    @Test
    void shouldRefuseANullDirectory() {
        NullPointerException e = assertThrows(NullPointerException.class, () -> LedgerConfig.builder().reserveAlsoOn(null));
        assertTrue(e.getMessage().contains("reserveAlsoOn"), e.getMessage());
    }

    private static void append(Ledger ledger) {
        ledger.append("s", ExpectedVersion.ANY, EventData.json("t", "{}".getBytes(StandardCharsets.UTF_8)));
    }

    /** Writes 1 MiB blocks until less than the reserve is free on the ballast's file system. */
    private static void fillUntilBelowReserve(Path ballast) throws IOException {
        byte[] block = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(ballast)) {
            while (ballast.toFile().getUsableSpace() >= RESERVE) {
                out.write(block);
                out.flush();
            }
        }
    }
}
