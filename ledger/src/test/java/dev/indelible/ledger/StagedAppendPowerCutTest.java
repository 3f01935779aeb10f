package dev.indelible.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.indelible.ledger.internal.KillPoints;
import dev.indelible.ledger.internal.StagedAppend;
import dev.indelible.ledger.testing.ChildJvm;
import dev.indelible.ledger.testing.ForgetfulDisk;
import dev.indelible.ledger.testing.LoopDisk;
import dev.indelible.ledger.testing.StagedAppendWorker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A staged append ({@link Ledger#appendAllOrNothing}) through a power cut at each step of its swap
 * and after it completed, on a {@link ForgetfulDisk}: five writer processes, one per data directory,
 * each killed at its point (or done), then one copy of the image is the disk a power cut leaves to
 * all five. Mounted and opened as after a reboot, each ledger is as it was (cut before the commit
 * marker) or holds every staged event (cut after it), the events before at their positions, no
 * staging left, {@code verify} clean. Needs root; skipped with a message otherwise.
 */
@Tag("system")
class StagedAppendPowerCutTest {
    private static final int BEFORE = 100;
    private static final int STAGED = 2_000;
    /** Where each writer dies, and whether the cut leaves the staged events (after the commit marker). */
    private static final List<String> POINTS = List.of(KillPoints.IMPORT_STAGED, KillPoints.IMPORT_COMMITTED,
        KillPoints.IMPORT_MOVED_ASIDE, KillPoints.IMPORT_SWAPPED, "done");

    @TempDir
    Path tmp;

    @Test
    void shouldLeaveEachLedgerAsItWasOrWithEveryStagedEventThroughAPowerCut() throws Exception {
        List<String> digests = new ArrayList<>();
        Path image = tmp.resolve("cut.img");
        try (ForgetfulDisk disk = ForgetfulDisk.format(tmp)) {
            List<ChildJvm> writers = new ArrayList<>();
            try {
                for (String point : POINTS) {
                    Path data = disk.mountPoint().resolve(point);
                    digests.add(existingLedger(data));
                    List<String> options = point.equals("done") ? List.of() : List.of("-Dindelible.killPoint=" + point + ":1");
                    writers.add(ChildJvm.startWith(options, StagedAppendWorker.class, tmp.resolve(point + ".err"),
                        data.toString(), Integer.toString(STAGED)));
                }
                for (int i = 0; i < POINTS.size(); i++) {
                    ChildJvm writer = writers.get(i);
                    assertEquals(POINTS.get(i).equals("done") ? 0 : 137, writer.awaitExit(120), writer.stderrText());
                }
            } finally {
                writers.forEach(ChildJvm::close);
            }
            disk.copyImage(image);
        }
        try (LoopDisk after = LoopDisk.mount(image, tmp.resolve("after"))) {
            for (int i = 0; i < POINTS.size(); i++) {
                String point = POINTS.get(i);
                Path data = after.mountPoint().resolve(point);
                long expected = point.equals(KillPoints.IMPORT_STAGED) ? BEFORE : BEFORE + STAGED;
                try (Ledger ledger = Ledger.open(data, LedgerConfig.defaults())) { // as after a reboot
                    assertEquals(expected, ledger.head(), point);
                    assertEquals(digests.get(i), LedgerCopy.digest(ledger, BEFORE), point + ": the events before, unchanged");
                }
                assertFalse(Files.exists(data.resolve(StagedAppend.DIR)), point + ": the staging is gone");
                VerifyReport report = Ledger.verify(data);
                assertTrue(report.ok(), point + ": " + report.problems());
                assertEquals(expected, report.eventsChecked(), point);
            }
        }
    }

    /** {@code BEFORE} events appended and synced; the digest of their sequence. */
    private static String existingLedger(Path data) {
        try (Ledger ledger = Ledger.open(data, LedgerConfig.builder().durability(Durability.SYNC).build())) {
            for (int i = 0; i < BEFORE; i++) {
                ledger.append("before-" + i % 7, ExpectedVersion.ANY, EventData.json("before.event", "{}".getBytes()));
            }
            return LedgerCopy.digest(ledger, BEFORE);
        }
    }
}
