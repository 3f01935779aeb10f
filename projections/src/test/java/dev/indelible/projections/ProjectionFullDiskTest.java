package dev.indelible.projections;

import static dev.indelible.ledger.testing.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.testing.LoopDisk;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The projections' disk fills while the journal's has room: the projection reports FAILED, loses
 * nothing, and goes on by itself once space is freed, without a restart. Needs root to mount a
 * small loop disk; skipped with a message otherwise.
 */
@Timeout(180)
class ProjectionFullDiskTest {
    private final StoredNoise stored = new StoredNoise(7);

    @TempDir
    Path tmp;

    @Test
    void shouldReportFailedOnAFullDiskAndGoOnByItselfOnceSpaceIsFreed() throws Exception {
        try (LoopDisk disk = LoopDisk.format(tmp.resolve("disk.img"), "256M", tmp.resolve("mnt"), "rw");
             Ledger ledger = Ledger.open(tmp.resolve("data"), LedgerConfig.defaults());
             ProjectionEngine engine = ProjectionEngine.start(ledger, disk.mountPoint().resolve("projections"),
                 List.of(stored))) {
            stored.append(ledger, 1_000);
            assertTrue(engine.awaitCaughtUp(Duration.ofSeconds(30)));

            Path ballast = disk.mountPoint().resolve("ballast");
            fill(ballast);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            // paced by the projection, so the journal runs ahead only by what the full disk refused
            while (engine.awaitPosition("stored", ledger.head(), Duration.ofSeconds(10))) {
                assertTrue(System.nanoTime() < deadline, "no FAILED after 120 s of appends on a full disk: "
                    + engine.status("stored"));
                stored.append(ledger, 200);
            }
            assertEquals(ProjectionStatus.State.FAILED, engine.status("stored").state());
            ProjectionStatus failed = engine.status("stored");
            assertTrue(failed.lag() > 0, "the journal went on: " + failed);

            Files.delete(ballast);
            stored.append(ledger, 100); // appends go on; the projection catches up with them too
            await(() -> engine.status("stored").state() != ProjectionStatus.State.FAILED, Duration.ofSeconds(60),
                () -> "still FAILED after space was freed: " + engine.status("stored"));
            assertTrue(engine.awaitCaughtUp(Duration.ofSeconds(60)), "caught up by itself: " + engine.status("stored"));
            ProjectionStatus resumed = engine.status("stored");
            assertTrue(resumed.state() == ProjectionStatus.State.LIVE || resumed.state() == ProjectionStatus.State.CATCHING_UP,
                resumed.toString());
            assertEquals(ledger.head(), resumed.position());
            assertEquals(ledger.head(), resumed.eventsApplied(), "every event applied exactly once");
        }
    }

    /** Writes until the file system refuses: the disk is full. */
    private static void fill(Path ballast) throws IOException {
        byte[] block = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(ballast)) {
            while (true) {
                out.write(block);
            }
        } catch (IOException full) {
            if (!String.valueOf(full.getMessage()).contains("No space left")) {
                throw full;
            }
        }
    }
}
