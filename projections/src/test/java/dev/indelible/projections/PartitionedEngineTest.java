package dev.indelible.projections;

import dev.indelible.ledger.EventData;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.RecordedEvent;
import dev.indelible.ledger.proto.OperationRecorded;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine over a journal of 3 partitions, each an embedded ledger with its own dense global_seq:
 * every partition consumed, one checkpoint per partition, resumed per partition; another partition
 * count refused; rebuild, rollback, scrub and digest over partitions.
 */
class PartitionedEngineTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String NAME = "streams";

    @TempDir
    Path data;
    private final List<Ledger> partitions = new ArrayList<>();
    private Path projections;

    @BeforeEach
    void openPartitions() {
        for (int p = 0; p < 3; p++) {
            partitions.add(Ledger.open(data.resolve("p" + p), LedgerConfig.defaults()));
        }
        projections = data.resolve("projections");
    }

    @AfterEach
    void closePartitions() {
        partitions.forEach(Ledger::close);
    }

    @Test
    void shouldApplyEveryPartitionOnceAndResumeEachFromItsOwnCheckpoint() {
        append(0, 300);
        append(2, 120);
        try (ProjectionEngine engine = start(partitions)) {
            assertTrue(engine.awaitCaughtUp(WAIT));
            assertCounted(engine, 420);
            ProjectionStatus status = engine.status(NAME);
            assertEquals(List.of(300L, 0L, 120L), status.positions());
            assertEquals(420, status.position());
            assertEquals(0, status.lag());
            append(1, 50);
            assertTrue(engine.awaitPosition(NAME, 1, 50, WAIT));
            assertEquals(50L, (long) engine.read(NAME, s -> s.position(1)));
        }
        append(0, 10);
        append(1, 20);
        append(2, 30);
        try (ProjectionEngine engine = start(partitions)) {
            assertTrue(engine.awaitCaughtUp(WAIT));
            assertCounted(engine, 530);
            assertEquals(List.of(310L, 70L, 150L), engine.status(NAME).positions());
            assertEquals(engine.digest(NAME), OfflineProjections.rebuild(partitions, data.resolve("scratch"),
                    List.of(new StreamCountingProjection(NAME)), (position, target) -> { }).get(0).newDigest(),
                    "resumed per partition, it equals a build from scratch");
        }
    }

    @Test
    void shouldRefuseAProjectionDirectoryBuiltOverAnotherPartitionCount() {
        append(0, 5);
        try (ProjectionEngine engine = start(partitions)) {
            assertTrue(engine.awaitCaughtUp(WAIT));
        }
        ProjectionException fewer = assertThrows(ProjectionException.class, () -> start(partitions.subList(0, 2)).close());
        assertRefusal(fewer, 3, 2);
        ProjectionException one = assertThrows(ProjectionException.class, () -> start(partitions.subList(0, 1)).close());
        assertRefusal(one, 3, 1);
        assertThrows(ProjectionException.class, () -> ProjectionEngine.openReadOnly(partitions.subList(0, 1), projections,
                List.of(new StreamCountingProjection(NAME))).close());
        assertThrows(ProjectionException.class, () -> OfflineProjections.rebuild(partitions.subList(0, 2), projections,
                List.of(new StreamCountingProjection(NAME)), (position, target) -> { }));
        try (ProjectionEngine engine = start(partitions)) {
            assertCounted(engine, 5);
        }
    }

    @Test
    void shouldRefuseSeveralPartitionsForADirectoryBuiltOverOneLedger() {
        append(0, 5);
        try (ProjectionEngine engine = ProjectionEngine.start(partitions.get(0), projections,
                List.of(new StreamCountingProjection(NAME)))) {
            assertTrue(engine.awaitCaughtUp(WAIT));
        }
        assertRefusal(assertThrows(ProjectionException.class, () -> start(partitions).close()), 1, 3);
        try (ProjectionEngine engine = start(partitions.subList(0, 1))) {
            assertCounted(engine, 5);
            assertTrue(engine.awaitPosition(NAME, 5, WAIT), "one partition keeps the single-ledger call");
        }
    }

    @Test
    void shouldAskForThePartitionWhenAwaitingAPositionOverSeveral() {
        try (ProjectionEngine engine = start(partitions)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> engine.awaitPosition(NAME, 0, WAIT));
            assertTrue(e.getMessage().contains("3 partitions"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> engine.awaitPosition(NAME, 3, 0, WAIT));
            assertFalse(engine.awaitPosition(NAME, 2, 1, Duration.ofMillis(50)));
            append(2, 3);
            assertTrue(engine.awaitCaughtUp(NAME, WAIT), "one projection, every partition's head");
            assertEquals(3L, (long) engine.read(NAME, StreamCountingProjection::rows));
            assertThrows(IllegalArgumentException.class, () -> engine.awaitCaughtUp("nothing", WAIT));
        }
    }

    @Test
    void shouldRebuildRollBackScrubAndDigestOverPartitions() throws Exception {
        append(0, 40);
        append(1, 30);
        append(2, 20);
        try (ProjectionEngine engine = start(partitions)) {
            assertTrue(engine.awaitCaughtUp(WAIT));
            String live = engine.digest(NAME);
            RebuildResult rebuilt = engine.rebuild(NAME);
            assertEquals(live, rebuilt.newDigest());
            assertEquals(90, rebuilt.events());
            assertNotEquals(rebuilt.previousVersion(), rebuilt.newVersion());
            append(1, 7);
            assertTrue(engine.awaitCaughtUp(WAIT));
            assertCounted(engine, 97);
            RollbackResult back = engine.rollback(NAME);
            assertEquals(rebuilt.previousVersion(), back.toVersion());
            assertTrue(engine.awaitCaughtUp(WAIT));
            assertCounted(engine, 97); // the previous version caught up on every partition from its own checkpoints
            assertFalse(engine.scrub(NAME).damaged());
            List<RecordedEvent> ops = partitions.get(0).readStream("ops-projection-" + NAME, 0, 10);
            assertEquals(List.of("ops.replay", "ops.rollback"), ops.stream().map(RecordedEvent::type).toList(),
                    "the engine's own events go to partition 0");
            assertEquals(rebuilt.newVersion(), OperationRecorded.parseFrom(ops.get(0).payload()).getFiguresOrThrow("new_version"));
            assertEquals(0, partitions.get(1).readStream("ops-projection-" + NAME, 0, 10).size());
        }
    }

    private static void assertRefusal(ProjectionException e, int built, int opened) {
        String message = e.getMessage();
        assertTrue(message.contains("partitions") && message.contains("built over " + built)
                && message.contains("opened over " + opened), message);
    }

    private void assertCounted(ProjectionEngine engine, long events) {
        assertEquals(events, (long) engine.read(NAME, StreamCountingProjection::rows), "every event applied");
        assertEquals(events, (long) engine.read(NAME, StreamCountingProjection::applies), "none applied twice");
    }

    private ProjectionEngine start(List<Ledger> ledgers) {
        return ProjectionEngine.start(ledgers, projections, List.of(new StreamCountingProjection(NAME)),
                EngineConfig.defaults().withBatchEvents(16));
    }

    private void append(int partition, int events) {
        Ledger ledger = partitions.get(partition);
        for (int i = 0; i < events; i++) {
            ledger.append("p" + partition + "-s" + (i % 7), ExpectedVersion.ANY, EventData.json("test.counted",
                    ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8)));
        }
    }
}
