package dev.indelible.projections.reference;

import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.projections.ProjectionEngine;
import dev.indelible.projections.ProjectionState;
import dev.indelible.projections.RebuildResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The messages incident: dashboards read the indexes while they are rebuilt. Readers must never
 * see a partial or empty answer, and see the new version once it is swapped in.
 */
class RebuildWhileReadingTest {

    private static final int MESSAGES = 60_000;
    private static final int READERS = 4;

    @TempDir
    Path data;

    @Test
    void shouldServeCompleteAnswersThroughoutARebuildAndThenTheNewVersion() throws Exception {
        try (Ledger ledger = Ledger.open(data, DomainEvents.register(LedgerConfig.builder()).build());
             ProjectionEngine engine = ProjectionEngine.start(ledger, data.resolve("projections"),
                     List.of(new MessagesProjection()))) {
            Messages messages = new Messages(ledger);
            Instant t0 = Instant.parse("2026-11-25T00:00:00Z");
            for (int i = 0; i < MESSAGES; i++) {
                messages.post("m" + i, "p" + i % 3, "c" + i % 7, "u" + i % 11, t0.plusMillis(i));
            }
            assertTrue(engine.awaitCaughtUp(Duration.ofSeconds(60)));
            String before = engine.read(MessagesProjection.NAME, ProjectionState::versionName);

            AtomicBoolean rebuilding = new AtomicBoolean(true);
            AtomicReference<String> wrong = new AtomicReference<>();
            AtomicLong reads = new AtomicLong();
            Set<String> versionsSeen = ConcurrentHashMap.newKeySet();
            CountDownLatch started = new CountDownLatch(READERS);
            List<Thread> readers = new ArrayList<>();
            for (int r = 0; r < READERS; r++) {
                Thread reader = new Thread(() -> {
                    started.countDown();
                    while (rebuilding.get()) {
                        String problem = engine.read(MessagesProjection.NAME, s -> {
                            versionsSeen.add(s.versionName());
                            long count = s.getLong(MessagesProjection.projectCount("p1"));
                            int listed = MessagesQueries.list(s, MessagesProjection.byProject("p1"), 100).size();
                            return count == MESSAGES / 3 && listed == 100 ? null
                                    : s.versionName() + " answered count " + count + ", listed " + listed;
                        });
                        if (problem != null) {
                            wrong.compareAndSet(null, problem);
                        }
                        reads.incrementAndGet();
                    }
                }, "reader-" + r);
                reader.start();
                readers.add(reader);
            }
            started.await();
            RebuildResult result = engine.rebuild(MessagesProjection.NAME);
            long readsAtSwap = reads.get();
            rebuilding.set(false);
            for (Thread reader : readers) {
                reader.join();
            }
            assertNull(wrong.get());
            assertTrue(readsAtSwap > 100, "readers were busy during the rebuild: " + readsAtSwap);
            assertTrue(versionsSeen.contains(before), versionsSeen.toString());
            assertEquals(result.newVersion(), engine.read(MessagesProjection.NAME, ProjectionState::versionName));
            assertEquals(MESSAGES / 3, new MessagesQueries(engine).countByProject("p1"));
            assertEquals(result.previousDigest(), result.newDigest());
        }
    }
}
