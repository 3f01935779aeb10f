package dev.indelible.projections;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.indelible.ledger.JournalFullException;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.testing.LoopDisk;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Journal and projections on one small disk, filled by appends: with the reserve sized for the
 * projections ({@link EngineConfig#freeSpaceReserveFor}), the journal refuses appends while the
 * projection still has room, so it applies every event taken and never goes FAILED; freeing space
 * lets appends resume. Needs root to mount a loop disk; skipped with a message otherwise.
 */
@Timeout(180)
class DataDirectoryFullDiskTest {
    private final StoredNoise stored = new StoredNoise(11);
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path tmp;

    @Test
    void shouldRefuseAppendsBeforeTheProjectionsRunOutOfRoomAndResumeOnceSpaceIsFreed() throws Exception {
        try (LoopDisk disk = LoopDisk.format(tmp.resolve("disk.img"), "320M", tmp.resolve("mnt"), "rw")) {
            Path data = disk.mountPoint().resolve("data");
            Path projections = data.resolve("projections");
            Path ballast = disk.mountPoint().resolve("ballast");
            Files.write(ballast, new byte[32 << 20]); // freed at the end
            LedgerConfig config = LedgerConfig.builder().freeSpaceReserve(EngineConfig.freeSpaceReserveFor(1))
                .reserveAlsoOn(projections).build();
            try (Ledger ledger = Ledger.open(data, config)) {
                try (ProjectionEngine engine = ProjectionEngine.start(ledger, projections, List.of(stored))) {
                    JournalFullException refused = appendUntilRefused(ledger, engine);
                    assertTrue(refused.getMessage().contains("LedgerConfig.freeSpaceReserve"), refused.getMessage());
                    ProjectionStatus full = engine.status("stored");
                    assertEquals(ledger.head(), full.position(), "every event taken is applied: " + full);
                    assertNotEquals(ProjectionStatus.State.FAILED, full.state(), full.toString());
                    long free = Files.getFileStore(data).getUsableSpace();
                    assertTrue(free >= EngineConfig.DISK_HEADROOM_PER_PROJECTION, "refused with room left for the"
                        + " projection's next flush and compaction: " + free + " bytes free");
                }
                // A restart (RocksDB writes the recovered memtable to a table file at open) still has room.
                try (ProjectionEngine engine = ProjectionEngine.start(ledger, projections, List.of(stored))) {
                    assertTrue(engine.awaitCaughtUp(WAIT), "reopened on the full disk: " + engine.status("stored"));
                    Files.delete(ballast);
                    long before = ledger.head();
                    stored.append(ledger, 100); // the reserve is checked again at once after a refusal
                    assertTrue(engine.awaitCaughtUp(WAIT), "follows the resumed appends: " + engine.status("stored"));
                    assertEquals(before + 100, engine.status("stored").eventsApplied());
                    assertNotEquals(ProjectionStatus.State.FAILED, engine.status("stored").state());
                }
            }
        }
    }

    /** Appends 100 events at a time, each time until the projection applied them, until the journal refuses. */
    private JournalFullException appendUntilRefused(Ledger ledger, ProjectionEngine engine) {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (true) {
            assertTrue(System.nanoTime() < deadline, "no refusal after 120 s of appends: " + engine.status("stored"));
            try {
                stored.append(ledger, 100);
            } catch (JournalFullException e) {
                return e;
            }
            // paced by the projection, as a live one follows: it lags by one append at most
            assertTrue(engine.awaitPosition("stored", ledger.head(), WAIT), "the projection stopped before the journal: "
                + engine.status("stored"));
        }
    }
}
