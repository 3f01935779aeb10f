package dev.indelible.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.indelible.ledger.internal.KillPoints;
import dev.indelible.ledger.testing.AppendWorker;
import dev.indelible.ledger.testing.ChildJvm;
import dev.indelible.ledger.testing.WholeTransactions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A writer process (four threads, {@link Durability#SYNC}, a new cycle file every second, a
 * checkpoint every 1,000 events, single appends mixed with 2- and 3-part transactions) killed with
 * SIGKILL at each named point of the append, roll and checkpoint paths ({@link KillPoints}), five
 * times each, at a random hit of the point. After each kill the journal is reopened: every
 * acknowledged event at its {@code global_seq}, whole, every transaction found whole (never a part
 * of one), and {@code verify} clean; the next kill appends to the same journal. The report shows every point
 * reached. {@code -Dindelible.soak=true} kills 50 times at each point. Each point has a journal of
 * its own; three points run at a time.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES) // 86 s one point at a time, on 2 cores at a load of 9 to 13
@Tag("system")
class KillPointTest {
    private static final int KILLS = Boolean.getBoolean("indelible.soak") ? 50 : 5;
    private static final int POINTS_AT_ONCE = 3;
    private static final List<String> POINTS = List.of(KillPoints.AFTER_HEADER, KillPoints.MID_PAYLOAD,
        KillPoints.BEFORE_INDEX, KillPoints.BEFORE_SYNC, KillPoints.CYCLE_ROLL, KillPoints.CHECKPOINT_WRITE);
    private static final LedgerConfig CONFIG = LedgerConfig.builder().durability(Durability.SYNC)
        .rollCycle(RollCycle.SECONDLY).checkpointInterval(1_000).build();

    @TempDir
    Path tmp;

    @Test
    void shouldLoseNothingAcknowledgedWhenKilledAtAnyNamedPoint() throws Exception {
        long seed = Long.getLong("indelible.seed", System.nanoTime());
        // Each point has a journal of its own, so points run side by side: one writer's JVM starts while
        // another waits for its syncs or its roll. Each point draws its hits from its own generator,
        // so a seed still repeats every point's kills.
        ExecutorService points = Executors.newFixedThreadPool(POINTS_AT_ONCE);
        Map<String, Future<String>> outcomes = new LinkedHashMap<>();
        try {
            for (int p = 0; p < POINTS.size(); p++) {
                String point = POINTS.get(p);
                Random random = new Random(seed + p);
                outcomes.put(point, points.submit(() -> killRepeatedlyAt(point, random, seed)));
            }
            System.out.println("KillPointTest (seed " + seed + "):");
            for (Map.Entry<String, Future<String>> outcome : outcomes.entrySet()) {
                System.out.printf("  %-16s reached and killed: %s%n", outcome.getKey(), resultOf(outcome.getValue()));
            }
        } finally {
            points.shutdownNow();
        }
    }

    /** {@link #KILLS} kills at {@code point} on one journal; returns the line of the report. */
    private String killRepeatedlyAt(String point, Random random, long seed) throws Exception {
        Path data = tmp.resolve(point);
        long acknowledged = 0;
        WholeTransactions.Found found = null;
        for (int kill = 0; kill < KILLS; kill++) {
            // The roll and the checkpoint come about once a second; the append points hundreds of times.
            boolean rare = point.equals(KillPoints.CYCLE_ROLL) || point.equals(KillPoints.CHECKPOINT_WRITE);
            long hit = 1 + random.nextInt(rare ? 2 : 400);
            String producer = "k" + kill;
            Reopened reopened = killAndReopen(data, point, hit, producer, "seed " + seed + ", " + point + " hit " + hit);
            acknowledged += reopened.acknowledged();
            found = reopened.found();
        }
        return KILLS + " kills, " + acknowledged + " acknowledged, 0 lost; " + found.transactions()
            + " transactions in the journal, 0 partial";
    }

    /** The outcome of one point, its assertion failure as it was thrown. */
    private static String resultOf(Future<String> outcome) throws Exception {
        try {
            return outcome.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw (Exception) e.getCause();
        }
    }

    /** What a reopen after a kill found: the kill's acknowledged events, and the journal's transactions. */
    private record Reopened(int acknowledged, WholeTransactions.Found found) {
    }

    private Reopened killAndReopen(Path data, String point, long hit, String producer, String where) throws Exception {
        List<String> printed;
        WholeTransactions.Found found;
        try (ChildJvm writer = ChildJvm.startWith(List.of("-Dindelible.killPoint=" + point + ":" + hit),
            AppendWorker.class, tmp.resolve(producer + "-" + point + ".err"), data.toString(), producer, "4", "-1",
            Durability.SYNC.name(), RollCycle.SECONDLY.name(), "1000", AppendWorker.TRANSACTIONS)) {
            int exit = writer.awaitExit(120);
            assertEquals(137, exit, where + ": the writer was not killed; stderr:\n" + writer.stderrText());
            assertTrue(writer.stderrText().contains("kill point " + point + " reached"), where + ": " + writer.stderrText());
            printed = writer.lines();
        }
        try (Ledger ledger = Ledger.open(data, CONFIG)) {
            for (String line : printed) {
                assertTrue(line.startsWith("ACK "), where + ": the writer failed: " + line);
                AppendWorker.Ack ack = AppendWorker.Ack.parse(producer, line);
                List<RecordedEvent> at = ledger.read(ack.globalSeq(), 1);
                assertEquals(1, at.size(), where + ": acknowledged event lost: " + line);
                EventData expected = ack.event();
                assertEquals(expected.eventId(), at.get(0).eventId(), where + ": " + line);
                assertArrayEquals(expected.payload(), at.get(0).payload(), where + ": " + line);
            }
            found = WholeTransactions.check(WholeTransactions.readAll(ledger), where);
            VerifyReport report = ledger.verify();
            assertTrue(report.ok(), where + ": " + report.problems());
        }
        try (var state = Files.list(data.resolve("journal-state"))) {
            List<Path> temps = state.filter(p -> p.toString().endsWith(".tmp")).toList();
            assertTrue(temps.isEmpty(), where + ": a dead writer's checkpoint temp files are left: " + temps);
        }
        return new Reopened(printed.size(), found);
    }
}
