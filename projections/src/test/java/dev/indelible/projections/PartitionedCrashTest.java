package dev.indelible.projections;

import dev.indelible.ledger.EventData;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.testing.ChildJvm;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

import static dev.indelible.ledger.testing.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A child JVM projects 3 partitions (embedded ledgers) while this one appends to all of them, and is
 * killed with SIGKILL mid-batch, again and again. Each restart resumes every partition from its own
 * checkpoint: at the end every event is a row once and was applied once, per partition's count, and
 * the digest equals a rebuild from scratch.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
@Tag("system")
class PartitionedCrashTest {

    private static final int PARTITIONS = 3;
    private static final int KILLS = Integer.getInteger("indelible.projectionKills", 3);

    @TempDir
    Path data;

    @Test
    void shouldNeitherRepeatNorSkipAnEventOfAnyPartitionAcrossKillNine() throws Exception {
        Random random = new Random(Long.getLong("indelible.seed", 42));
        List<Ledger> partitions = new ArrayList<>();
        AtomicBoolean appending = new AtomicBoolean(true);
        AtomicLongArray appended = new AtomicLongArray(PARTITIONS);
        try {
            for (int p = 0; p < PARTITIONS; p++) {
                partitions.add(Ledger.open(data.resolve("p" + p), LedgerConfig.defaults()));
            }
            Thread producer = new Thread(() -> {
                for (long n = 0; appending.get(); n++) {
                    int p = (int) (n % 5 % PARTITIONS); // uneven: partitions 0 and 1 take twice what 2 does
                    partitions.get(p).append("p" + p + "-s" + n % 11, ExpectedVersion.ANY, EventData.json("test.counted",
                            ("{\"n\":" + n + "}").getBytes(StandardCharsets.UTF_8)));
                    appended.incrementAndGet(p);
                    if (n % 10 == 0) {
                        LockSupport.parkNanos(1_000_000); // a pace the child keeps up with
                    }
                }
            }, "producer");
            producer.start();
            long lastPosition = 0;
            for (int kill = 0; kill < KILLS; kill++) {
                try (ChildJvm child = ChildJvm.start(ProjectorWorker.class, data.resolve("child-" + kill + ".err"),
                        data.toString(), "partitions", Integer.toString(PARTITIONS))) {
                    long previous = lastPosition;
                    await(() -> lastPosition(child) > previous, Duration.ofSeconds(60),
                            () -> "the projector made no progress past " + previous + "; stderr: " + child.stderrText());
                    lastPosition = lastPosition(child);
                    Thread.sleep(random.nextInt(200)); // a random moment to kill, not a wait for something
                    child.kill9();
                }
            }
            appending.set(false);
            producer.join();
            try (ProjectionEngine engine = ProjectionEngine.start(partitions, data.resolve("projections"),
                    List.of(new StreamCountingProjection("streams")))) {
                assertTrue(engine.awaitCaughtUp(Duration.ofSeconds(60)));
                List<Long> expected = new ArrayList<>();
                for (int p = 0; p < PARTITIONS; p++) {
                    expected.add(appended.get(p));
                }
                long total = expected.stream().mapToLong(Long::longValue).sum();
                assertEquals(expected, engine.status("streams").positions(), "each partition's checkpoint at its head");
                assertEquals(total, (long) engine.read("streams", StreamCountingProjection::rows), "every event applied");
                assertEquals(total, (long) engine.read("streams", StreamCountingProjection::applies), "none applied twice");
                assertEquals(engine.digest("streams"), engine.rebuild("streams").newDigest(),
                        "the killed-and-resumed projection equals a rebuild");
            }
        } finally {
            appending.set(false);
            partitions.forEach(Ledger::close);
        }
    }

    /** The last position the child reported, or -1 before its first report. */
    private static long lastPosition(ChildJvm child) {
        List<String> lines = child.lines();
        return lines.isEmpty() ? -1 : Long.parseLong(lines.get(lines.size() - 1).substring("POS ".length()));
    }
}
