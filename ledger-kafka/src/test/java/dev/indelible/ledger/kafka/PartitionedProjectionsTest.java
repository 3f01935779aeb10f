package dev.indelible.ledger.kafka;

import static dev.indelible.ledger.testing.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.indelible.ledger.EventData;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.kafka.testing.PartitionedProjectorWorker;
import dev.indelible.ledger.kafka.testing.SharedKafka;
import dev.indelible.ledger.testing.ChildJvm;
import dev.indelible.projections.ProjectionEngine;
import dev.indelible.projections.ProjectionException;
import dev.indelible.projections.StreamCountingProjection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Projections over a Kafka journal of 3 partitions, end to end: a node (a child JVM reading every
 * partition beside the writers) projects while this one appends to all three, and is killed with
 * SIGKILL; the projection reopened here resumes each partition from its own checkpoint, every event
 * applied once, and equals a rebuild; opened over another partition count it is refused. The
 * thorough kill tests run on embedded ledgers (projections' PartitionedCrashTest); this is the one
 * check on Kafka.
 */
@Tag("system")
class PartitionedProjectionsTest {
    private static final int PARTITIONS = 3;

    @TempDir
    Path dir;

    @Test
    void shouldResumeEveryPartitionFromItsOwnCheckpointAfterTheProjectingNodeIsKilled() throws Exception {
        PartitionedJournalConfig journal = SharedKafka.partitionedJournalFor(dir, PARTITIONS, "");
        Path projections = dir.resolve("projections");
        AtomicBoolean appending = new AtomicBoolean(true);
        AtomicLong appended = new AtomicLong();
        try (PartitionedLedger ledger = PartitionedLedger.open(journal, dir.resolve("writer"), LedgerConfig.defaults())) {
            Thread producer = new Thread(() -> {
                for (long n = 0; appending.get(); n++) {
                    ledger.append("s-" + n % 13, ExpectedVersion.ANY, EventData.json("test.counted",
                        ("{\"n\":" + n + "}").getBytes(StandardCharsets.UTF_8)));
                    appended.incrementAndGet();
                    if (n % 20 == 0) {
                        LockSupport.parkNanos(1_000_000); // a pace, not a wait for something
                    }
                }
            }, "producer");
            producer.start();
            String uri = "kafka://" + journal.journal().bootstrapServers() + "/" + journal.journal().topic()
                + "?partitions=" + PARTITIONS + "&partition.keys=";
            try (ChildJvm node = ChildJvm.start(PartitionedProjectorWorker.class, dir.resolve("node.err"), uri,
                    dir.resolve("node").toString(), projections.toString())) {
                await(() -> lastPosition(node) > 100, Duration.ofSeconds(90),
                    () -> "the node made no progress; stderr: " + node.stderrText());
                node.kill9();
            }
            long atKill = appended.get();
            await(() -> appended.get() >= atKill + 60, Duration.ofSeconds(60), () -> "appends stopped at " + appended.get());
            appending.set(false);
            producer.join();
            List<Long> heads = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                heads.add(ledger.head().next(p));
            }
            assertTrue(heads.stream().allMatch(h -> h > 0), "every partition took events: " + heads);
            assertEquals(appended.get(), heads.stream().mapToLong(Long::longValue).sum());

            ProjectionException refused = assertThrows(ProjectionException.class, () -> ProjectionEngine.start(
                ledger.ledgers().subList(0, 2), projections, List.of(new StreamCountingProjection("streams"))).close());
            assertTrue(refused.getMessage().contains("built over 3 partitions")
                && refused.getMessage().contains("opened over 2"), refused.getMessage());

            try (ProjectionEngine engine = ProjectionEngine.start(ledger.ledgers(), projections,
                    List.of(new StreamCountingProjection("streams")))) {
                assertTrue(engine.awaitCaughtUp(Duration.ofSeconds(60)));
                assertEquals(heads, engine.status("streams").positions(), "each partition's checkpoint at its head");
                assertEquals(appended.get(), (long) engine.read("streams", StreamCountingProjection::rows), "every event applied");
                assertEquals(appended.get(), (long) engine.read("streams", StreamCountingProjection::applies), "none applied twice");
                assertEquals(engine.digest("streams"), engine.rebuild("streams").newDigest(), "the resumed projection equals a rebuild");
                System.out.printf("%,d events over 3 partitions %s: resumed after kill -9 with each counted once%n",
                    appended.get(), heads);
            }
        } finally {
            appending.set(false);
        }
    }

    /** The last position the node reported, or -1 before its first report. */
    private static long lastPosition(ChildJvm node) {
        List<String> lines = node.lines();
        return lines.isEmpty() ? -1 : Long.parseLong(lines.get(lines.size() - 1).substring("POS ".length()));
    }
}
