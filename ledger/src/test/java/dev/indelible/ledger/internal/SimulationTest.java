package dev.indelible.ledger.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.indelible.ledger.CorruptJournalException;
import dev.indelible.ledger.Durability;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.LedgerException;
import dev.indelible.ledger.VerifyReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real ledger (append, group commit, checkpoints, recovery, torn-tail detection) over a
 * {@link SimulatedDisk} that loses, reorders and tears unsynced writes, fails writes and syncs,
 * and crashes the process or cuts the power, all drawn from one seed. Each seed runs a ledger
 * through several process lifetimes, appending to one stream at a time and in transactions of two
 * or three parts ({@link SimulatedWorkload}); after each restart every acknowledged event must be
 * there, whole, at its {@code global_seq}, every append and transaction whole or absent, and
 * {@code verify} clean. 1,000 seeds; {@code -Dindelible.soak=true}
 * runs 100,000, {@code -Dindelible.simSeeds=N} N, and {@code -Dindelible.simSeed=S} replays one.
 */
@Tag("system")
class SimulationTest {
    private static final int SEEDS = Integer.getInteger("indelible.simSeeds", Boolean.getBoolean("indelible.soak") ? 100_000 : 1_000);

    /** Replaying one seed prints what it does. */
    private static final boolean TRACE = Long.getLong("indelible.simSeed") != null;

    @TempDir
    Path tmp;

    private final SimulatedDisk.Stats disk = new SimulatedDisk.Stats();
    private long acknowledgedChecked;
    private long transactionsCommitted;
    private long transactionsRefused;
    private long restarts;
    private long powerCuts;
    private long tornTailsCut;
    private long refusedOpens;

    @Test
    void shouldLoseNothingAcknowledgedUnderSimulatedFaults() throws Exception {
        Long only = Long.getLong("indelible.simSeed");
        long first = only != null ? only : 1;
        long last = only != null ? only : SEEDS;
        for (long seed = first; seed <= last; seed++) {
            try {
                run(seed);
            } catch (Throwable e) {
                throw new AssertionError("simulation seed " + seed + " failed; replay it with -Dindelible.simSeed=" + seed
                    + ": " + e.getMessage(), e);
            }
        }
        System.out.printf("SimulationTest: %d seeds, %d restarts (%d power cuts), %d acknowledged events checked after"
                + " restarts, 0 lost; %d transactions committed, %d refused by a condition, every append and transaction"
                + " whole or absent after every restart; %d writes (%d failed), %d syncs (%d EIO), %d writebacks, %d torn"
                + " records on the device, %d dirty records lost at power cuts, %d ends cut after a missing record, %d torn tails cut, %d opens"
                + " refused for damage before a valid record%n",
            last - first + 1, restarts, powerCuts, acknowledgedChecked, transactionsCommitted, transactionsRefused,
            disk.writes, disk.writeErrors, disk.syncs, disk.syncErrors, disk.writebacks, disk.tornOnDevice, disk.lostAtPowerCut, disk.cutAfterHole, tornTailsCut,
            refusedOpens);
    }

    private void run(long seed) throws Exception {
        Random driver = new Random(seed);
        SimulatedDisk simulated = new SimulatedDisk(new Random(~seed), disk);
        Durability durability = driver.nextBoolean() ? Durability.SYNC : Durability.MEMORY_MAPPED;
        LedgerConfig config = LedgerConfig.builder().durability(durability).producerId("sim").build();
        Path stateDir = Files.createDirectories(tmp.resolve("seed-" + seed));
        SimulatedWorkload workload = new SimulatedWorkload();
        int lives = 2 + driver.nextInt(5);
        for (int life = 0; life < lives; life++) {
            long crashAt = driver.nextInt(3) == 0 ? -1 : driver.nextInt(80);
            SimulatedJournal journal = new SimulatedJournal(simulated, crashAt);
            Ledger ledger = open(journal, simulated, stateDir, config, workload);
            check(ledger, workload);
            boolean stopped = false;
            for (int op = driver.nextInt(3) == 0 ? driver.nextInt(3) : driver.nextInt(40); op > 0 && !stopped; op--) {
                stopped = workload.appendOne(ledger, driver);
            }
            // The end of this life: a clean close, a process crash, or (under SYNC only) a power cut.
            int end = durability == Durability.SYNC ? driver.nextInt(3) : driver.nextInt(2);
            if (journal.crashed()) {
                end = Math.max(end, 1);
            }
            Map<Path, byte[]> checkpoint = end == 0 ? null : snapshot(stateDir);
            if (end != 0) {
                journal.crashNow();
            }
            closeQuietly(ledger);
            if (checkpoint != null) {
                restore(stateDir, checkpoint);
            }
            trace("life %d ends: %s", life, new String[] {"close", "process crash", "power cut"}[end]);
            if (end == 2) {
                powerCuts++;
                simulated.powerCut();
                if (driver.nextInt(4) == 0) {
                    Files.deleteIfExists(stateDir.resolve(Checkpoint.FILE_NAME));
                }
            } else {
                simulated.processEnded();
            }
            restarts++;
        }
        Ledger ledger = open(new SimulatedJournal(simulated, -1), simulated, stateDir, config, workload);
        check(ledger, workload);
        ledger.close();
        acknowledgedChecked += workload.acknowledgedChecked;
        transactionsCommitted += workload.transactionsCommitted;
        transactionsRefused += workload.transactionsRefused;
    }

    private static void check(Ledger ledger, SimulatedWorkload workload) {
        workload.check(ledger);
        VerifyReport report = ledger.verify();
        assertTrue(report.ok(), report.problems().toString());
    }

    /** Opens as the embedded ledger would: a torn tail is cut once; damage before a valid record is refused. */
    private Ledger open(SimulatedJournal journal, SimulatedDisk simulated, Path stateDir, LedgerConfig config,
                        SimulatedWorkload workload) {
        for (int attempt = 0; ; attempt++) {
            try {
                return DefaultLedger.open(journal, stateDir, config);
            } catch (TornTailException e) {
                trace("open: torn tail, cut: %s", e.getMessage());
                assertTrue(attempt < 3, "still torn after cutting: " + e.getMessage());
                workload.assertNothingAcknowledgedFrom(e.globalSeq(), e);
                tornTailsCut++;
                simulated.cutFrom(e.firstCutAddress());
            } catch (CorruptJournalException e) {
                // Only a person may cut damage followed by valid records; it must all be unacknowledged.
                assertTrue(attempt < 3, "still damaged after cutting: " + e.getMessage());
                workload.assertNothingAcknowledgedFrom(e.globalSeq(), e);
                refusedOpens++;
                simulated.cutFrom(Long.parseLong(e.location().substring(e.location().indexOf('@') + 1)));
            }
            journal = new SimulatedJournal(simulated, -1);
        }
    }

    static void trace(String format, Object... args) {
        if (TRACE) {
            System.out.printf(format + "%n", args);
        }
    }

    private static void closeQuietly(Ledger ledger) {
        try {
            ledger.close();
        } catch (LedgerException e) {
            // a crashed process's ledger cannot sync
        }
    }

    /** The checkpoint files as they are at a crash: a dead process writes none at close. */
    private static Map<Path, byte[]> snapshot(Path dir) throws Exception {
        Map<Path, byte[]> files = new HashMap<>();
        try (var list = Files.list(dir)) {
            for (Path p : (Iterable<Path>) list::iterator) {
                files.put(p, Files.readAllBytes(p));
            }
        }
        return files;
    }

    private static void restore(Path dir, Map<Path, byte[]> files) throws Exception {
        try (var list = Files.list(dir)) {
            for (Path p : (Iterable<Path>) list::iterator) {
                if (!files.containsKey(p)) {
                    Files.delete(p);
                }
            }
        }
        for (Map.Entry<Path, byte[]> f : files.entrySet()) {
            Files.write(f.getKey(), f.getValue());
        }
    }
}
