package dev.indelible.projections;

import dev.indelible.ledger.EventData;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.RecordedEvent;
import dev.indelible.ledger.testing.ChildJvm;
import dev.indelible.projections.OfflineProjections;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A rebuild killed with SIGKILL mid-way (a child JVM, stalled before validation) leaves a version
 * that did not finish its build: it never goes live, by a rollback or otherwise, and is reported.
 */
@Tag("system")
class UnfinishedBuildTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path data;
    private Ledger ledger;
    private Path projections;
    private String completed;

    @BeforeEach
    void buildOneVersionAndKillTheNextMidway() throws Exception {
        ledger = Ledger.open(data, LedgerConfig.defaults());
        projections = data.resolve("projections");
        for (int i = 0; i < 20; i++) {
            ledger.append("s-" + i % 4, ExpectedVersion.ANY, EventData.json("test.counted",
                    ("{\"i\":" + i + "}").getBytes(StandardCharsets.UTF_8)));
        }
        completed = OfflineProjections.rebuild(ledger, projections, new CountingProjection("counts"), (p, t) -> { }).newVersion();
        try (ChildJvm child = ChildJvm.start(StalledRebuildWorker.class, data.resolve("child.err"), data.toString())) {
            child.awaitLines(1, 60);
            child.kill9();
        }
        assertEquals(List.of("v1-000002", completed), versions(), "the killed build left its directory");
    }

    @AfterEach
    void closeLedger() {
        ledger.close();
    }

    @Test
    void shouldRefuseARollbackToTheKilledBuildNamingTheProjectionAndWhy() {
        ProjectionException refused = assertThrows(ProjectionException.class,
                () -> OfflineProjections.rollback(ledger, projections, "counts"));
        assertTrue(refused.getMessage().contains("cannot roll back projection counts: it has no previous version that"
                + " completed its build"), refused.getMessage());
        assertTrue(refused.getMessage().contains("v1-000002 was a build that did not finish"), refused.getMessage());
        assertEquals(completed, current(), "CURRENT unchanged");
        assertEquals(List.of(completed), versions(), "the unfinished build is deleted as what it is");
    }

    @Test
    void shouldRollBackPastTheKilledBuildToTheLastCompletedOneAndReportItsDeletion() throws Exception {
        RebuildResult second = OfflineProjections.rebuild(ledger, projections, new CountingProjection("counts"), (p, t) -> { });
        assertEquals(List.of("v1-000002"), second.discardedUnfinished());
        assertEquals("v1-000003", second.newVersion());
        assertEquals("v1-000002", lastOps("ops.replay", "discarded_unfinished"));

        RollbackResult back = OfflineProjections.rollback(ledger, projections, "counts");
        assertEquals(completed, back.toVersion());
        assertEquals(List.of(), back.discardedUnfinished(), "the replay already deleted it");
        try (ProjectionEngine engine = ProjectionEngine.start(ledger, projections, List.of(new CountingProjection("counts")))) {
            assertEquals(20L, engine.read("counts", CountingProjection::total), "answers from a complete version");
            assertEquals(completed, engine.status("counts").liveVersion());
        }
    }

    @Test
    void shouldDeleteTheKilledBuildAndRollBackPastItInARunningEngine() throws Exception {
        try (ProjectionEngine engine = ProjectionEngine.start(ledger, projections, List.of(new CountingProjection("counts")))) {
            assertEquals(List.of("v1-000002"), engine.rebuild("counts").discardedUnfinished());
            assertEquals(completed, engine.rollback("counts").toVersion());
            assertEquals(20L, engine.read("counts", CountingProjection::total));
        }
    }

    @Test
    void shouldQuarantineAndRebuildWhenCurrentNamesTheKilledBuild() throws Exception {
        writeCurrent("v1-000002"); // what the bug left behind
        ProjectionException refused = assertThrows(ProjectionException.class, () -> ProjectionEngine.openReadOnly(ledger,
                projections, List.of(new CountingProjection("counts"))));
        assertTrue(refused.getMessage().contains("projection counts is not available: its live version v1-000002 did not"
                + " finish its build"), refused.getMessage());

        try (ProjectionEngine engine = ProjectionEngine.start(ledger, projections, List.of(new CountingProjection("counts")))) {
            assertEquals(20L, engine.read("counts", CountingProjection::total), "never the half-built version's empty answer");
            assertEquals("v1-000003", engine.status("counts").liveVersion());
        }
        try (Stream<Path> quarantined = Files.list(projections.resolve("counts").resolve("quarantine"))) {
            assertTrue(quarantined.anyMatch(p -> p.getFileName().toString().startsWith("v1-000002-")), "kept aside, not deleted");
        }
        assertEquals("its build did not finish: it never validated", lastOps("ops.quarantine", "cause"));
    }

    @Test
    void shouldNotAdoptACurrentNamingTheKilledBuildWhileRunning() throws Exception {
        try (ProjectionEngine engine = ProjectionEngine.start(ledger, projections, List.of(new CountingProjection("counts")))) {
            writeCurrent("v1-000002");
            long until = System.nanoTime() + Duration.ofMillis(500).toNanos(); // five looks at CURRENT
            while (System.nanoTime() < until) {
                assertEquals(completed, engine.status("counts").liveVersion());
                assertEquals(20L, engine.read("counts", CountingProjection::total));
            }
            ledger.append("s-0", ExpectedVersion.ANY, EventData.json("test.counted", "{}".getBytes(StandardCharsets.UTF_8)));
            assertTrue(engine.awaitCaughtUp(WAIT), "the complete version goes on following the journal");
            assertEquals(21L, engine.read("counts", CountingProjection::total));
        }
    }

    /** A figure of the last ops event of {@code type} on the projection's ops stream. */
    private String lastOps(String type, String figure) throws IOException {
        List<RecordedEvent> ops = ledger.readStream("ops-projection-counts", 0, 100).stream()
                .filter(e -> e.type().equals(type)).toList();
        return dev.indelible.ledger.proto.OperationRecorded.parseFrom(ops.get(ops.size() - 1).payload()).getFiguresOrThrow(figure);
    }

    private void writeCurrent(String version) throws IOException {
        Files.writeString(projections.resolve("counts").resolve("CURRENT"), version + "\n");
    }

    private String current() {
        try {
            return Files.readString(projections.resolve("counts").resolve("CURRENT")).strip();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private List<String> versions() {
        try (Stream<Path> entries = Files.list(projections.resolve("counts"))) {
            return entries.map(p -> p.getFileName().toString()).filter(n -> n.matches("v\\d+-\\d{6}"))
                    .sorted(java.util.Comparator.reverseOrder()).toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
