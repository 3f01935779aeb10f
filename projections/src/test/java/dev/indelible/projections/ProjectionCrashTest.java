package dev.indelible.projections;

import dev.indelible.ledger.EventData;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.testing.ChildJvm;
import dev.indelible.projections.reference.DomainEvents;
import dev.indelible.projections.reference.MixedEvents;
import dev.indelible.projections.reference.ReferenceProjections;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.TimeUnit;

import static dev.indelible.ledger.testing.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A child JVM projects while this one appends; it is killed with SIGKILL mid-batch, again and
 * again. After each restart the projection continues from its checkpoint; at the end its digest
 * equals a rebuild from scratch: nothing applied twice, nothing skipped.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES) // 42 s on 2 cores at a load of 17: six child JVMs killed
@Tag("system")
class ProjectionCrashTest {

    private static final int KILLS = Integer.getInteger("indelible.projectionKills", 6);

    @TempDir
    Path data;

    @Test
    void shouldNeitherRepeatNorSkipAnEventAcrossKillNine() throws Exception {
        Random random = new Random(Long.getLong("indelible.seed", 42));
        AtomicBoolean appending = new AtomicBoolean(true);
        AtomicLong appended = new AtomicLong();
        try (Ledger ledger = Ledger.open(data, DomainEvents.register(LedgerConfig.builder()).build())) {
            MixedEvents mixed = new MixedEvents(ledger, 7, "");
            Thread producer = new Thread(() -> {
                while (appending.get()) {
                    mixed.next();
                    if (appended.get() % 10 == 0) {
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
                        data.toString(), "all")) {
                    lastPosition = awaitProgressBeyond(child, lastPosition);
                    Thread.sleep(random.nextInt(200)); // a random moment to kill, not a wait for something
                    child.kill9();
                }
            }
            appending.set(false);
            producer.join();
            List<Projection> projections = new java.util.ArrayList<>(ReferenceProjections.all());
            projections.add(0, new CountingProjection("counts"));
            try (ProjectionEngine engine = ProjectionEngine.start(ledger, data.resolve("projections"), projections)) {
                assertTrue(engine.awaitCaughtUp(Duration.ofSeconds(120)));
                long total = engine.read("counts", CountingProjection::total);
                assertEquals(appended.get(), total, "every appended event counted exactly once");
                for (Projection p : projections) {
                    String live = engine.digest(p.name());
                    RebuildResult rebuilt = engine.rebuild(p.name());
                    assertEquals(live, rebuilt.newDigest(), p.name() + ": the killed-and-resumed projection equals a rebuild");
                }
            }
        }
    }

    /** Waits until the child reports a position past {@code previous}: it resumed and made progress. */
    private static long awaitProgressBeyond(ChildJvm child, long previous) throws Exception {
        await(() -> lastPosition(child) > previous, Duration.ofSeconds(60),
            () -> "the projector made no progress past " + previous + "; stderr: " + child.stderrText());
        return lastPosition(child);
    }

    /** The last position the child reported, or -1 before its first report. */
    private static long lastPosition(ChildJvm child) {
        List<String> lines = child.lines();
        return lines.isEmpty() ? -1 : Long.parseLong(lines.get(lines.size() - 1).substring("POS ".length()));
    }
}
