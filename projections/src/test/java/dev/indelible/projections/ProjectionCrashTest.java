package dev.indelible.projections;

import dev.indelible.ledger.EventData;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.testing.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A child JVM projects while this one appends; it is killed with SIGKILL mid-batch, again and
 * again. After each restart the projection continues from its checkpoint; at the end its digest
 * equals a rebuild from scratch: nothing applied twice, nothing skipped.
 */
class ProjectionCrashTest {

    private static final int KILLS = Integer.getInteger("indelible.projectionKills", 6);

    @TempDir
    Path data;

    @Test
    void shouldNeitherRepeatNorSkipAnEventAcrossKillNine() throws Exception {
        Random random = new Random(Long.getLong("indelible.seed", 42));
        AtomicBoolean appending = new AtomicBoolean(true);
        AtomicLong appended = new AtomicLong();
        try (Ledger ledger = Ledger.open(data, LedgerConfig.defaults())) {
            Thread producer = new Thread(() -> {
                while (appending.get()) {
                    if (appended.get() % 20 == 0) {
                        // About 20,000 events/s: enough for many batches in flight, few enough to catch up.
                        java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
                    }
                    ledger.append("s-" + appended.get() % 31, ExpectedVersion.ANY, EventData.json("test.counted",
                            ("{\"n\":" + appended.get() + "}").getBytes(StandardCharsets.UTF_8)));
                    appended.incrementAndGet();
                }
            }, "producer");
            producer.start();
            long lastPosition = 0;
            for (int kill = 0; kill < KILLS; kill++) {
                try (ChildJvm child = ChildJvm.start(ProjectorWorker.class, data.resolve("child-" + kill + ".err"),
                        data.toString(), "counting")) {
                    lastPosition = awaitProgressBeyond(child, lastPosition);
                    Thread.sleep(random.nextInt(200));
                    child.kill9();
                }
            }
            appending.set(false);
            producer.join();
            try (ProjectionEngine engine = ProjectionEngine.start(ledger, data.resolve("projections"),
                    List.of(new CountingProjection("counts")))) {
                assertTrue(engine.awaitCaughtUp(Duration.ofSeconds(120)));
                long total = engine.read("counts", CountingProjection::total);
                assertEquals(appended.get(), total, "every appended event counted exactly once");
                String live = engine.digest("counts");
                RebuildResult rebuilt = engine.rebuild("counts");
                assertEquals(live, rebuilt.newDigest(), "the killed-and-resumed projection equals a rebuild");
            }
        }
    }

    /** Waits until the child reports a position past {@code previous}: it resumed and made progress. */
    private static long awaitProgressBeyond(ChildJvm child, long previous) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            List<String> lines = child.lines();
            if (!lines.isEmpty()) {
                long position = Long.parseLong(lines.get(lines.size() - 1).substring(4));
                if (position > previous) {
                    return position;
                }
            }
            Thread.sleep(5);
        }
        throw new AssertionError("the projector made no progress past " + previous + "; stderr: " + child.stderrText());
    }
}
