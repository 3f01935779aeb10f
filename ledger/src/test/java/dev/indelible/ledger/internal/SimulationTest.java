package dev.indelible.ledger.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.CorruptJournalException;
import dev.indelible.ledger.Durability;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.EventId;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.LedgerException;
import dev.indelible.ledger.RecordedEvent;
import dev.indelible.ledger.VerifyReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real ledger (append, group commit, checkpoints, recovery, torn-tail detection) over a
 * {@link SimulatedDisk} that loses, reorders and tears unsynced writes, fails writes and syncs,
 * and crashes the process or cuts the power, all drawn from one seed. Each seed runs a ledger
 * through several process lifetimes; after each restart every acknowledged event must be there,
 * whole, at its {@code global_seq}, and {@code verify} clean. 1,000 seeds; {@code -Dindelible.soak=true}
 * runs 100,000, {@code -Dindelible.simSeeds=N} N, and {@code -Dindelible.simSeed=S} replays one.
 */
class SimulationTest {
    private static final int SEEDS = Integer.getInteger("indelible.simSeeds", Boolean.getBoolean("indelible.soak") ? 100_000 : 1_000);

    /** Replaying one seed prints what it does. */
    private static final boolean TRACE = Long.getLong("indelible.simSeed") != null;

    @TempDir
    Path tmp;

    private final SimulatedDisk.Stats disk = new SimulatedDisk.Stats();
    private long acknowledgedChecked;
    private long restarts;
    private long powerCuts;
    private long tornTailsCut;
    private long refusedOpens;

    /** An acknowledged event: where it is and what it holds. */
    private record Acked(long globalSeq, String stream, byte[] payload) {
    }

    /** An append whose outcome is unknown (it failed): a client retries it with the same ids. */
    private record Attempt(String stream, List<EventData> events) {
    }

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
                + " restarts, 0 lost; %d writes (%d failed), %d syncs (%d EIO), %d writebacks, %d torn records on the device,"
                + " %d dirty records lost at power cuts, %d ends cut after a missing record, %d torn tails cut, %d opens"
                + " refused for damage before a valid record%n",
            last - first + 1, restarts, powerCuts, acknowledgedChecked, disk.writes, disk.writeErrors, disk.syncs,
            disk.syncErrors, disk.writebacks, disk.tornOnDevice, disk.lostAtPowerCut, disk.cutAfterHole, tornTailsCut,
            refusedOpens);
    }

    private void run(long seed) throws Exception {
        Random driver = new Random(seed);
        SimulatedDisk simulated = new SimulatedDisk(new Random(~seed), disk);
        Durability durability = driver.nextBoolean() ? Durability.SYNC : Durability.MEMORY_MAPPED;
        LedgerConfig config = LedgerConfig.builder().durability(durability).producerId("sim").build();
        Path stateDir = Files.createDirectories(tmp.resolve("seed-" + seed));
        Map<EventId, Acked> acked = new LinkedHashMap<>();
        List<Attempt> unknown = new ArrayList<>();
        int lives = 2 + driver.nextInt(5);
        for (int life = 0; life < lives; life++) {
            long crashAt = driver.nextInt(3) == 0 ? -1 : driver.nextInt(80);
            SimulatedJournal journal = new SimulatedJournal(simulated, crashAt);
            Ledger ledger = open(journal, simulated, stateDir, config, acked);
            check(ledger, acked);
            boolean stopped = false;
            for (int op = driver.nextInt(3) == 0 ? driver.nextInt(3) : driver.nextInt(40); op > 0 && !stopped; op--) {
                stopped = appendOne(ledger, driver, acked, unknown);
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
        Ledger ledger = open(new SimulatedJournal(simulated, -1), simulated, stateDir, config, acked);
        check(ledger, acked);
        ledger.close();
    }

    /** One append, a new one or a retry of one whose outcome is unknown; true when the ledger stopped. */
    private static boolean appendOne(Ledger ledger, Random driver, Map<EventId, Acked> acked, List<Attempt> unknown) {
        Attempt attempt;
        if (!unknown.isEmpty() && driver.nextInt(3) == 0) {
            attempt = unknown.remove(driver.nextInt(unknown.size()));
        } else {
            List<EventData> events = new ArrayList<>();
            for (int i = 1 + (driver.nextInt(4) == 0 ? driver.nextInt(5) : 0); i > 0; i--) {
                byte[] payload = new byte[1 + driver.nextInt(300)];
                driver.nextBytes(payload);
                events.add(EventData.protobuf("sim.event", payload).withEventId(new EventId(driver.nextLong(), driver.nextLong())));
            }
            attempt = new Attempt("stream-" + driver.nextInt(4), events);
        }
        try {
            AppendResult result = ledger.append(attempt.stream(), ExpectedVersion.ANY, attempt.events());
            trace("append %s %s: %s", attempt.stream(), attempt.events().get(0).eventId(), result);
            assertTrue(result instanceof AppendResult.Appended, result.toString());
            AppendResult.Appended appended = (AppendResult.Appended) result;
            for (int i = 0; i < attempt.events().size(); i++) {
                EventData e = attempt.events().get(i);
                Acked before = acked.put(e.eventId(), new Acked(appended.firstGlobalSeq() + i, attempt.stream(), e.payload()));
                assertTrue(before == null || before.globalSeq() == appended.firstGlobalSeq() + i,
                    "an acknowledged event moved: " + e.eventId());
            }
            return false;
        } catch (LedgerException e) {
            trace("append %s %s failed: %s", attempt.stream(), attempt.events().get(0).eventId(), e.getMessage());
            unknown.add(attempt);
            return e.getMessage().contains("accepts no more") || e.getMessage().contains("process crash");
        }
    }

    /** Opens as the embedded ledger would: a torn tail is cut once; damage before a valid record is refused. */
    private Ledger open(SimulatedJournal journal, SimulatedDisk simulated, Path stateDir, LedgerConfig config,
                        Map<EventId, Acked> acked) {
        for (int attempt = 0; ; attempt++) {
            try {
                return DefaultLedger.open(journal, stateDir, config);
            } catch (TornTailException e) {
                trace("open: torn tail, cut: %s", e.getMessage());
                assertTrue(attempt < 3, "still torn after cutting: " + e.getMessage());
                assertNothingAcknowledgedFrom(e.globalSeq(), acked, e);
                tornTailsCut++;
                simulated.cutFrom(e.firstCutAddress());
            } catch (CorruptJournalException e) {
                // Only a person may cut damage followed by valid records; it must all be unacknowledged.
                assertTrue(attempt < 3, "still damaged after cutting: " + e.getMessage());
                assertNothingAcknowledgedFrom(e.globalSeq(), acked, e);
                refusedOpens++;
                simulated.cutFrom(Long.parseLong(e.location().substring(e.location().indexOf('@') + 1)));
            }
            journal = new SimulatedJournal(simulated, -1);
        }
    }

    private static void assertNothingAcknowledgedFrom(long globalSeq, Map<EventId, Acked> acked, Exception e) {
        for (Acked a : acked.values()) {
            assertTrue(a.globalSeq() < globalSeq, "acknowledged event at global_seq " + a.globalSeq()
                + " lies in the damage the open found: " + e.getMessage());
        }
    }

    private void check(Ledger ledger, Map<EventId, Acked> acked) {
        Map<EventId, RecordedEvent> there = new HashMap<>();
        long seq = 0;
        for (List<RecordedEvent> page = ledger.read(0, 1_000); !page.isEmpty(); page = ledger.read(seq, 1_000)) {
            for (RecordedEvent e : page) {
                assertEquals(seq++, e.globalSeq(), "dense global_seq");
                assertTrue(there.put(e.eventId(), e) == null, "written twice: " + e.eventId());
            }
        }
        for (Map.Entry<EventId, Acked> a : acked.entrySet()) {
            RecordedEvent e = there.get(a.getKey());
            assertTrue(e != null, "acknowledged event lost: " + a.getKey() + " at global_seq " + a.getValue().globalSeq()
                + "; the journal holds " + seq);
            assertEquals(a.getValue().globalSeq(), e.globalSeq(), "acknowledged event moved");
            assertEquals(a.getValue().stream(), e.stream());
            assertArrayEquals(a.getValue().payload(), e.payload());
            acknowledgedChecked++;
        }
        VerifyReport report = ledger.verify();
        assertTrue(report.ok(), report.problems().toString());
    }

    private static void trace(String format, Object... args) {
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
