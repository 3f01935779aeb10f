package dev.indelible.ledger.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.indelible.ledger.AppendReceipt;
import dev.indelible.ledger.Durability;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.EventId;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Group commit on a real journal: every append waiting for a sync gets one, whether the sync
 * thread was busy or idle when it was written. A lost wake-up shows as an append that never
 * completes, so every wait is bounded.
 */
class GroupCommitterTest {
    private static final int WAIT = 60;
    private static final EventData EVENT = EventData.json("t", "{\"n\":1}".getBytes());

    @TempDir
    Path dir;

    @Test
    void shouldWakeTheIdleSyncThreadForEachLoneAppend() throws Exception {
        int appends = 2_000;
        try (Ledger ledger = Ledger.open(dir, LedgerConfig.builder().durability(Durability.SYNC).build())) {
            for (int i = 0; i < appends; i++) {
                // Each waits for its own sync, so the sync thread is idle when the next is written.
                ledger.appendAsync("s", ExpectedVersion.ANY, EVENT.withEventId(EventId.random())).get(WAIT, TimeUnit.SECONDS);
            }

            assertEquals(appends, ledger.head());
            assertTrue(ledger.metrics().syncs() >= appends, "one sync per lone append, was " + ledger.metrics().syncs());
        }
    }

    @Test
    void shouldAcknowledgeEveryBlockedAppendOfSixteenThreadsWithFewerSyncs() throws Exception {
        int threads = 16;
        int perThread = 500;
        try (Ledger ledger = Ledger.open(dir, LedgerConfig.builder().durability(Durability.SYNC).build())) {
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<?>> producers = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    String stream = "s-" + t;
                    producers.add(pool.submit(() -> {
                        AppendReceipt receipt = new AppendReceipt();
                        for (int i = 0; i < perThread; i++) {
                            ledger.append(stream, i - 1L, EVENT.withEventId(EventId.random()), receipt);
                            assertTrue(receipt.appended(), receipt.toString());
                        }
                        return null;
                    }));
                }
                for (Future<?> producer : producers) {
                    producer.get(WAIT, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }

            assertEquals((long) threads * perThread, ledger.head());
            for (int t = 0; t < threads; t++) {
                assertEquals(perThread - 1, ledger.streamVersion("s-" + t));
            }
            assertTrue(ledger.metrics().syncs() < (long) threads * perThread,
                "syncs are shared between threads, were " + ledger.metrics().syncs());
        }
    }
}
