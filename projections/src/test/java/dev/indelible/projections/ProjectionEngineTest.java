package dev.indelible.projections;

import dev.indelible.ledger.EventData;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.projections.OfflineProjections;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static dev.indelible.ledger.testing.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProjectionEngineTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path data;
    private Ledger ledger;
    private Path projections;

    @BeforeEach
    void openLedger() {
        ledger = Ledger.open(data, LedgerConfig.defaults());
        projections = data.resolve("projections");
    }

    @AfterEach
    void closeLedger() {
        ledger.close();
    }

    @Test
    void shouldCatchUpAndThenFollowLiveAppends() {
        append(500, "test.counted");
        append(50, "test.ignored");
        try (ProjectionEngine engine = start(new CountingProjection("counts"))) {
            assertEquals(500L, engine.read("counts", CountingProjection::total));
            append(300, "test.counted");
            assertTrue(engine.awaitCaughtUp(WAIT));
            assertEquals(800L, engine.read("counts", CountingProjection::total));
            ProjectionStatus status = engine.status("counts");
            assertEquals(ledger.head(), status.position());
            assertEquals(0, status.lag());
            assertEquals(800, status.eventsApplied());
        }
    }

    @Test
    void shouldResumeFromItsCheckpointWithoutApplyingAnythingTwice() {
        append(200, "test.counted");
        try (ProjectionEngine engine = start(new CountingProjection("counts"))) {
            assertTrue(engine.awaitCaughtUp(WAIT));
        }
        append(100, "test.counted");
        try (ProjectionEngine engine = start(new CountingProjection("counts"))) {
            assertTrue(engine.awaitCaughtUp(WAIT));
            assertEquals(300L, engine.read("counts", CountingProjection::total));
            assertEquals(30L, (long) engine.read("counts", s -> CountingProjection.countFor(s, "s-3")));
            assertEquals(1, versionDirs("counts").size(), "a restart reuses the live version");
        }
    }

    @Test
    void shouldRebuildIntoANewVersionWithTheSameDigestAndKeepThePreviousOne() {
        append(1_000, "test.counted");
        try (ProjectionEngine engine = start(new CountingProjection("counts"))) {
            assertTrue(engine.awaitCaughtUp(WAIT));
            String before = engine.digest("counts");
            RebuildResult result = engine.rebuild("counts");
            assertEquals(before, result.previousDigest());
            assertEquals(before, result.newDigest());
            assertEquals(before, engine.digest("counts"));
            assertNotEquals(result.previousVersion(), result.newVersion());
            assertEquals(result.newVersion(), engine.status("counts").liveVersion());
            assertEquals(1_000, result.applied());
            assertEquals(List.of(result.newVersion(), result.previousVersion()), versionDirs("counts"));
            assertEquals(result.newVersion(), current("counts"));
        }
    }

    @Test
    void shouldJournalEveryRebuildAndRollbackAsAnOpsEvent() throws Exception {
        append(10, "test.counted");
        try (ProjectionEngine engine = start(new CountingProjection("counts"))) {
            engine.rebuild("counts");
            engine.rollback("counts");
        }
        List<dev.indelible.ledger.RecordedEvent> ops = ledger.readStream("ops-projection-counts", 0, 10);
        assertEquals(List.of("ops.replay", "ops.rollback"), ops.stream().map(dev.indelible.ledger.RecordedEvent::type).toList());
        var replay = dev.indelible.ledger.proto.OperationRecorded.parseFrom(ops.get(0).payload());
        assertEquals("ok", replay.getResult());
        assertEquals("10", replay.getFiguresOrThrow("applied"));
        assertEquals(64, replay.getFiguresOrThrow("new_digest").length());
    }

    @Test
    void shouldStoreItsCheckpointPastEventsOfOtherTypesOnceIdleSoStatusShowsNoLag() throws Exception {
        append(10, "test.counted");
        try (ProjectionEngine engine = start(new CountingProjection("counts"))) {
            assertTrue(engine.awaitCaughtUp(Duration.ofSeconds(30)));
            append(11, "test.other");
            await(() -> storedLag() == 0, WAIT, () -> "stored lag still " + storedLag() + " idle");
        }
    }

    @Test
    void shouldKeepOnlyTheLiveAndPreviousVersions() {
        append(10, "test.counted");
        try (ProjectionEngine engine = start(new CountingProjection("counts"))) {
            engine.rebuild("counts");
            engine.rebuild("counts");
            RebuildResult last = engine.rebuild("counts");
            assertEquals(List.of(last.newVersion(), last.previousVersion()), versionDirs("counts"));
        }
    }

    @Test
    void shouldRollBackToThePreviousVersionWhichThenCatchesUp() {
        append(100, "test.counted");
        try (ProjectionEngine engine = start(new CountingProjection("counts"))) {
            RebuildResult rebuilt = engine.rebuild("counts");
            append(50, "test.counted");
            assertEquals(rebuilt.previousVersion(), engine.rollback("counts").toVersion());
            assertEquals(rebuilt.previousVersion(), current("counts"));
            assertTrue(engine.awaitCaughtUp(WAIT));
            assertEquals(150L, engine.read("counts", CountingProjection::total));
        }
    }

    @Test
    void shouldFailASecondRebuildAtOnceWhileTheFirstCompletes() throws Exception {
        append(100, "test.counted");
        CountingProjection projection = new CountingProjection("counts");
        try (ProjectionEngine engine = start(projection)) {
            assertTrue(engine.awaitCaughtUp(WAIT));
            CountDownLatch gate = new CountDownLatch(1);
            projection.holdAt(gate);
            CompletableFuture<RebuildResult> first = CompletableFuture.supplyAsync(() -> engine.rebuild("counts"));
            assertTrue(projection.awaitHeld(30));
            long started = System.nanoTime();
            RebuildInProgressException refused = assertThrows(RebuildInProgressException.class, () -> engine.rebuild("counts"));
            assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(5), "refused at once");
            assertTrue(refused.getMessage().contains("pid " + ProcessHandle.current().pid()), refused.getMessage());
            assertFalse(first.isDone());
            gate.countDown();
            projection.holdAt(null);
            RebuildResult result = first.get(30, TimeUnit.SECONDS);
            assertEquals(100, result.applied());
            assertEquals(result.newVersion(), engine.status("counts").liveVersion());
        }
    }

    @Test
    void shouldRebuildWhenTheCodeVersionChangesAndKeepTheOldVersion() {
        append(100, "test.counted");
        String first;
        try (ProjectionEngine engine = start(new CountingProjection("counts", 1))) {
            first = engine.status("counts").liveVersion();
        }
        try (ProjectionEngine engine = start(new CountingProjection("counts", 2))) {
            String second = engine.status("counts").liveVersion();
            assertTrue(second.startsWith("v2-"), second);
            assertEquals(List.of(second, first), versionDirs("counts"));
            assertEquals(100L, engine.read("counts", CountingProjection::total));
        }
    }

    @Test
    void shouldStopAProjectionWhoseApplyThrowsAndSayWhy() {
        append(10, "test.counted");
        Projection broken = failingAt("counts", 12);
        try (ProjectionEngine engine = start(broken)) {
            append(10, "test.counted");
            assertFalse(engine.awaitPosition("counts", ledger.head(), Duration.ofSeconds(5)));
            assertEquals(ProjectionStatus.State.FAILED, engine.status("counts").state());
            long position = engine.status("counts").position();
            assertTrue(position <= 12, "stops before the event that failed: " + position);
            assertEquals(position, (long) engine.read("counts", CountingProjection::total), "nothing of the failed batch is committed");
        }
    }

    @Test
    void shouldAdoptAVersionRebuiltWithoutTheEngine() throws Exception {
        append(300, "test.counted");
        try (ProjectionEngine engine = start(new CountingProjection("counts"))) {
            String before = engine.status("counts").liveVersion();
            RebuildResult result = OfflineProjections.rebuild(ledger, projections, new CountingProjection("counts"),
                    (position, target) -> { });
            assertEquals(before, result.previousVersion());
            assertEquals(result.previousDigest(), result.newDigest());
            append(10, "test.counted");
            await(() -> result.newVersion().equals(engine.status("counts").liveVersion()), WAIT,
                () -> "live version still " + engine.status("counts").liveVersion());
            assertTrue(engine.awaitCaughtUp(WAIT));
            assertEquals(310L, engine.read("counts", CountingProjection::total));
        }
    }

    @Test
    void shouldRebuildSeveralProjectionsFromOneReadOfTheJournal() {
        append(200, "test.counted");
        append(50, "test.other");
        List<Projection> both = List.of(new CountingProjection("counts"), new CountingProjection("more"));
        List<RebuildResult> results = OfflineProjections.rebuild(ledger, projections, both, (position, target) -> { });
        assertEquals(List.of("counts", "more"), results.stream().map(RebuildResult::projection).toList());
        for (RebuildResult result : results) {
            assertEquals(250, result.events());
            assertEquals(200, result.applied());
            assertEquals(result.newVersion(), current(result.projection()));
            assertEquals(OfflineProjections.digestFromScratch(ledger, projections, new CountingProjection(result.projection()), 250),
                    result.newDigest());
        }
    }

    @Test
    void shouldFailAWholeMultiRebuildWhenOneProjectionThrowsWhileTheOthersApplyOnOtherThreads() {
        append(100, "test.counted");
        OfflineProjections.rebuild(ledger, projections, List.of(new CountingProjection("counts"), new CountingProjection("more")),
                (position, target) -> { });
        String countsBefore = current("counts");
        String moreBefore = current("more");
        append(120_000, "test.counted"); // three batches of 50,000 at most: the healthy projection runs ahead
        Projection broken = failingAt("more", 110_000);
        List<Long> progress = new ArrayList<>();

        IllegalStateException failed = assertThrows(IllegalStateException.class, () -> OfflineProjections.rebuild(ledger,
                projections, List.of(new CountingProjection("counts"), broken), (position, target) -> progress.add(position)));

        assertEquals("bad event 110000", failed.getMessage());
        assertEquals(countsBefore, current("counts"), "no projection of a failed rebuild is swapped in");
        assertEquals(moreBefore, current("more"));
        assertEquals(List.of(50_000L, 100_000L), progress, "progress counts only batches every projection committed");
        RebuildResult again = OfflineProjections.rebuild(ledger, projections, new CountingProjection("more"), (p, t) -> { });
        assertEquals(120_100, again.applied());
    }

    @Test
    void shouldNeverRollBackToABuildThatDidNotFinishAndDeleteItAtTheNextBuild() {
        append(20, "test.counted");
        String first = OfflineProjections.rebuild(ledger, projections, new CountingProjection("counts"), (p, t) -> { }).newVersion();
        assertThrows(IllegalStateException.class, () -> OfflineProjections.rebuild(ledger, projections, failingAt("counts", 12),
                (p, t) -> { }));
        List<String> afterFailure = versionDirs("counts");
        assertEquals(2, afterFailure.size(), "the failed build's directory is left, as a killed one's is: " + afterFailure);
        String unfinished = afterFailure.get(0);

        RebuildResult second = OfflineProjections.rebuild(ledger, projections, new CountingProjection("counts"), (p, t) -> { });
        assertEquals(first, second.previousVersion());
        assertEquals(List.of(second.newVersion(), first), versionDirs("counts"), "the unfinished " + unfinished + " is gone");

        assertEquals(first, OfflineProjections.rollback(ledger, projections, "counts").toVersion(), "back to the version that completed");
        assertEquals(first, current("counts"));
    }

    @Test
    void shouldRefuseARollbackWhenTheOnlyOtherVersionDidNotFinish() {
        append(20, "test.counted");
        OfflineProjections.rebuild(ledger, projections, new CountingProjection("counts"), (p, t) -> { });
        String live = current("counts");
        assertThrows(IllegalStateException.class, () -> OfflineProjections.rebuild(ledger, projections, failingAt("counts", 12),
                (p, t) -> { }));

        ProjectionException refused = assertThrows(ProjectionException.class,
                () -> OfflineProjections.rollback(ledger, projections, "counts"));
        assertTrue(refused.getMessage().contains("no previous version that completed its build"), refused.getMessage());
        assertEquals(live, current("counts"), "the half-built version never goes live");
    }

    @Test
    void shouldHoldNoMoreThanAboutSixteenMebibytesOfPayloadPerRebuildBatch() {
        byte[] large = ("{\"s\":\"" + "x".repeat((1 << 20) - 100) + "\"}").getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 40; i++) {
            ledger.append("large", ExpectedVersion.ANY, EventData.json("test.counted", large));
        }
        List<Long> progress = new ArrayList<>();

        RebuildResult result = OfflineProjections.rebuild(ledger, projections, new CountingProjection("counts"),
                (position, target) -> progress.add(position));

        assertEquals(40, result.applied());
        assertEquals(40L, progress.get(progress.size() - 1));
        long before = 0;
        for (long position : progress) {
            assertTrue(position - before <= 17, "a batch of at most 17 events of 1 MiB: " + progress);
            before = position;
        }
    }

    @Test
    void shouldRefuseAWholeMultiRebuildWhenOneProjectionIsBeingRebuilt() throws Exception {
        append(100, "test.counted");
        OfflineProjections.rebuild(ledger, projections, List.of(new CountingProjection("counts"), new CountingProjection("more")),
                (position, target) -> { });
        String countsBefore = current("counts");
        CountingProjection held = new CountingProjection("more");
        CountDownLatch gate = new CountDownLatch(1);
        held.holdAt(gate);
        CompletableFuture<RebuildResult> first = CompletableFuture.supplyAsync(
                () -> OfflineProjections.rebuild(ledger, projections, held, (position, target) -> { }));
        try {
            assertTrue(held.awaitHeld(30));
            RebuildInProgressException refused = assertThrows(RebuildInProgressException.class, () -> OfflineProjections.rebuild(
                    ledger, projections, List.of(new CountingProjection("counts"), new CountingProjection("more")),
                    (position, target) -> { }));
            assertTrue(refused.getMessage().contains("more"), refused.getMessage());
            assertEquals(countsBefore, current("counts"), "nothing swapped");
        } finally {
            gate.countDown();
            held.holdAt(null);
        }
        assertEquals(100, first.get(30, TimeUnit.SECONDS).applied());
        RebuildResult counts = OfflineProjections.rebuild(ledger, projections, new CountingProjection("counts"), (p, t) -> { });
        assertEquals(countsBefore, counts.previousVersion(), "the refused rebuild left no version behind it");
    }

    @Test
    void shouldReadAProjectionAnotherEngineOwns() {
        append(100, "test.counted");
        try (ProjectionEngine owner = start(new CountingProjection("counts"))) {
            assertTrue(owner.awaitCaughtUp(WAIT));
            try (ProjectionEngine reader = ProjectionEngine.openReadOnly(ledger, projections,
                    List.of(new CountingProjection("counts")))) {
                assertEquals(100L, reader.read("counts", CountingProjection::total));
                assertEquals(owner.digest("counts"), reader.digest("counts"));
                assertEquals(ProjectionStatus.State.READ_ONLY, reader.status("counts").state());
                assertThrows(ProjectionException.class, () -> reader.rebuild("counts"));
            }
        }
    }

    @Test
    void shouldRefuseAnInvalidProjectionName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> start(new CountingProjection("Bad Name")));
        assertTrue(e.getMessage().contains("Bad Name"), e.getMessage());
    }

    /** A counting projection whose apply throws "bad event N" at {@code globalSeq} N. */
    private static Projection failingAt(String name, long globalSeq) {
        return new CountingProjection(name) {
            @Override
            public void apply(dev.indelible.ledger.RecordedEvent event, ProjectionBatch batch) {
                if (event.globalSeq() == globalSeq) {
                    throw new IllegalStateException("bad event " + globalSeq);
                }
                super.apply(event, batch);
            }
        };
    }

    /** The lag of the stored checkpoint, as another process's status reads it. */
    private long storedLag() {
        try (ProjectionEngine reader = ProjectionEngine.openReadOnly(ledger, projections, List.of(new CountingProjection("counts")))) {
            return reader.status("counts").lag();
        }
    }

    private ProjectionEngine start(Projection projection) {
        return ProjectionEngine.start(ledger, projections, List.of(projection));
    }

    private void append(int count, String type) {
        for (int i = 0; i < count; i++) {
            ledger.append("s-" + i % 10, ExpectedVersion.ANY,
                    EventData.json(type, ("{\"i\":" + i + "}").getBytes(StandardCharsets.UTF_8)));
        }
    }

    private List<String> versionDirs(String name) {
        List<String> names = new ArrayList<>();
        try (var entries = Files.list(projections.resolve(name))) {
            entries.map(p -> p.getFileName().toString()).filter(n -> n.matches("v\\d+-\\d{6}")).forEach(names::add);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        names.sort(java.util.Comparator.reverseOrder());
        return names;
    }

    private String current(String name) {
        try {
            return Files.readString(projections.resolve(name).resolve("CURRENT")).strip();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
