package dev.indelible.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.indelible.ledger.testing.AppendWorker;
import dev.indelible.ledger.testing.ChildJvm;
import dev.indelible.ledger.testing.ForgetfulDisk;
import dev.indelible.ledger.testing.LoopDisk;
import dev.indelible.ledger.testing.WholeTransactions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Power cuts. The journal lives on a loop-mounted ext4 with periodic writeback off ({@code commit=600},
 * {@code vm.dirty_writeback_centisecs=0}, restored after), so the device holds only what was synced;
 * a copy of the image taken while the writer is stopped is the disk a power cut at that moment
 * leaves. A writer process appends under {@link Durability#SYNC} from four threads, single appends
 * mixed with 2- and 3-part transactions, and is stopped at random moments for a copy. Each copy is
 * then mounted and opened as after a reboot: every acknowledged event is there at its
 * {@code global_seq}, every event there is whole, every transaction there whole (never a part of
 * one), and {@code verify} is clean (the open cut a torn tail where one was left, recorded as
 * {@code ops.journal_repair}). 50 cuts; {@code -Dindelible.soak=true} makes 500, or
 * {@code -Dindelible.powerCuts=N}. Needs root; skipped with a message otherwise.
 */
@Tag("system")
class PowerCutTest {
    private static final int CUTS = Integer.getInteger("indelible.powerCuts", Boolean.getBoolean("indelible.soak") ? 500 : 50);
    private static final int THREADS = 4;
    private static final String PRODUCER = "cut";

    @TempDir
    Path tmp;

    /** A copy of the disk and how many lines the writer had printed when it was taken. */
    private record Cut(Path image, int linesPrinted) {
    }

    @Test
    void shouldKeepEveryAcknowledgedEventThroughPowerCuts() throws Exception {
        long seed = Long.getLong("indelible.seed", System.nanoTime());
        Random random = new Random(seed);
        List<Cut> cuts = new ArrayList<>();
        List<String> printed;
        try (ForgetfulDisk disk = ForgetfulDisk.format(tmp)) {
            Path data = disk.mountPoint().resolve("data");
            try (ChildJvm writer = ChildJvm.start(AppendWorker.class, tmp.resolve("writer.err"), data.toString(),
                PRODUCER, Integer.toString(THREADS), "-1", Durability.SYNC.name(), AppendWorker.TRANSACTIONS)) {
                writer.awaitLines(1, 120);
                for (int c = 0; c < CUTS; c++) {
                    TimeUnit.MILLISECONDS.sleep(random.nextInt(250)); // a random moment to cut, not a wait for something
                    writer.pause();
                    // Every line whose write returned before the stop: acknowledged before the cut.
                    int linesPrinted = writer.linesSoFar();
                    Path image = tmp.resolve("cut-" + c + ".img");
                    disk.copyImage(image);
                    writer.resume();
                    cuts.add(new Cut(image, linesPrinted));
                }
                // Dead, so the copies' lock files name no live writer, as after a reboot.
                writer.kill9();
                printed = writer.lines();
            }
        }
        assertTrue(printed.stream().allMatch(l -> l.startsWith("ACK ")), "the writer failed: " + printed.stream()
            .filter(l -> !l.startsWith("ACK ")).findFirst().orElse(""));

        long acknowledged = 0;
        long unacknowledgedThere = 0;
        long transactions = 0;
        int repaired = 0;
        for (int c = 0; c < cuts.size(); c++) {
            Cut cut = cuts.get(c);
            Outcome outcome = reopen(cut, printed.subList(0, cut.linesPrinted()), tmp.resolve("after-" + c), seed, c);
            acknowledged += cut.linesPrinted();
            unacknowledgedThere += outcome.appended() - cut.linesPrinted();
            transactions += outcome.transactions();
            repaired += outcome.repaired() ? 1 : 0;
            Files.delete(cut.image());
        }
        System.out.printf("PowerCutTest: %d cuts (seed %d), %d acknowledged events checked, 0 lost; %d events there"
                + " that were written but not yet acknowledged at the cut; %d transactions found after the cuts, 0 partial;"
                + " %d torn tails cut at reopen%n",
            cuts.size(), seed, acknowledged, unacknowledgedThere, transactions, repaired);
    }

    private record Outcome(long appended, long transactions, boolean repaired) {
    }

    /** Mounts a copy and opens the ledger on it, as after a reboot, and checks what it holds. */
    private static Outcome reopen(Cut cut, List<String> acknowledged, Path mountPoint, long seed, int c) throws Exception {
        String cutName = "cut " + c + " (seed " + seed + ")";
        String where = cutName + ": ";
        try (LoopDisk after = LoopDisk.mount(cut.image(), mountPoint);
             Ledger ledger = Ledger.open(after.mountPoint().resolve("data"), LedgerConfig.builder()
                 .durability(Durability.SYNC).build())) {
            List<RecordedEvent> all = new ArrayList<>();
            for (List<RecordedEvent> page = ledger.read(0, 10_000); !page.isEmpty(); page = ledger.read(all.size(), 10_000)) {
                all.addAll(page);
            }
            for (String line : acknowledged) {
                AppendWorker.Ack ack = AppendWorker.Ack.parse(PRODUCER, line);
                assertTrue(ack.globalSeq() < all.size(), where + "acknowledged event " + line + " is lost: the journal ends at "
                    + all.size());
                assertEquals(ack.event().eventId(), all.get((int) ack.globalSeq()).eventId(), where + line);
            }
            long appended = 0;
            boolean repaired = false;
            for (int seq = 0; seq < all.size(); seq++) {
                RecordedEvent e = all.get(seq);
                assertEquals(seq, e.globalSeq(), where + "dense global_seq");
                if (e.type().equals("ops.journal_repair")) {
                    repaired = true;
                    continue;
                }
                assertEquals("test.appended", e.type(), where + "event " + seq);
                appended++;
            }
            // Each event as written, on its stream, in its transaction; each transaction whole.
            WholeTransactions.Found found = WholeTransactions.check(all, cutName);
            assertEquals(appended, found.events(), where + "events without their transaction named");
            VerifyReport report = ledger.verify();
            assertTrue(report.ok(), where + report.problems());
            return new Outcome(appended, found.transactions(), repaired);
        }
    }

    /**
     * A writer process killed before its first sync leaves records only in the page cache; a new
     * process that answers retries of them as duplicates must sync them before acknowledging, or a
     * power cut loses what it acknowledged.
     */
    @Test
    void shouldSyncARetryAnsweredAsADuplicateBeforeAcknowledgingIt() throws Exception {
        List<EventData> retried = new ArrayList<>();
        Path image = tmp.resolve("after-retries.img");
        try (ForgetfulDisk disk = ForgetfulDisk.format(tmp)) {
            Path data = disk.mountPoint().resolve("data");
            try (ChildJvm writer = ChildJvm.startWith(List.of("-Dindelible.killPoint=before-sync:1"), AppendWorker.class,
                tmp.resolve("writer.err"), data.toString(), PRODUCER, Integer.toString(THREADS), "-1", Durability.SYNC.name())) {
                assertEquals(137, writer.awaitExit(120), writer.stderrText());
                assertTrue(writer.lines().isEmpty(), "nothing was acknowledged: " + writer.lines());
            }
            try (Ledger ledger = Ledger.open(data, LedgerConfig.builder().durability(Durability.SYNC).build())) {
                for (RecordedEvent e : ledger.read(0, 100)) {
                    EventData again = AppendWorker.event(PRODUCER, AppendWorker.thread(e.stream()), e.streamVersion());
                    AppendResult result = ledger.append(e.stream(), ExpectedVersion.ANY, again);
                    assertTrue(result instanceof AppendResult.Appended a && a.duplicate(), result.toString());
                    retried.add(again);
                }
                assertTrue(!retried.isEmpty(), "the killed writer left records to retry");
                disk.copyImage(image);
            }
        }
        try (LoopDisk after = LoopDisk.mount(image, tmp.resolve("after"));
             Ledger ledger = Ledger.open(after.mountPoint().resolve("data"), LedgerConfig.defaults())) {
            List<RecordedEvent> there = ledger.read(0, 100);
            for (EventData e : retried) {
                assertTrue(there.stream().anyMatch(r -> r.eventId().equals(e.eventId())),
                    "a retry acknowledged as a duplicate was lost in the power cut: " + e.eventId());
            }
            System.out.printf("PowerCutTest: %d retries of a killed writer's unsynced appends acknowledged as"
                + " duplicates, all there after the cut%n", retried.size());
        }
    }
}
