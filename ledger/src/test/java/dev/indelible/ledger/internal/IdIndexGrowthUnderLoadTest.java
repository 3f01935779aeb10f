package dev.indelible.ledger.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.EventId;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The event id table doubles in the background while threads append: every id written before,
 * during and after its growths must still be answered as a retry, at its original position.
 */
class IdIndexGrowthUnderLoadTest {
    private static final int THREADS = 4;
    /** 84,000 ids: the table grows in the background at 40,960 and 81,920 ids (5/8 of 65,536 and 131,072 slots). */
    private static final int PER_THREAD = 21_000;

    @TempDir
    Path dir;

    @Test
    void shouldAnswerEveryRetryAtItsOriginalPositionAfterGrowingUnderLoad() throws Exception {
        EventId[][] ids = new EventId[THREADS][PER_THREAD];
        long[][] positions = new long[THREADS][PER_THREAD];
        LedgerConfig config = LedgerConfig.builder().build();
        try (Ledger ledger = Ledger.open(dir, config)) {
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                threads.add(new Thread(() -> {
                    for (int i = 0; i < PER_THREAD; i++) {
                        ids[thread][i] = EventId.random();
                        positions[thread][i] = append(ledger, "s-" + thread, ids[thread][i]).firstGlobalSeq();
                    }
                }));
            }
            threads.forEach(Thread::start);
            for (Thread thread : threads) {
                thread.join();
            }
            assertEquals(THREADS * PER_THREAD, ledger.head());

            for (int t = 0; t < THREADS; t++) {
                for (int i = 0; i < PER_THREAD; i++) {
                    AppendResult.Appended retry = append(ledger, "s-" + t, ids[t][i]);
                    assertTrue(retry.duplicate(), "the retry of event " + i + " of thread " + t + " is a duplicate");
                    assertEquals(positions[t][i], retry.firstGlobalSeq(), "position of event " + i + " of thread " + t);
                }
            }
            assertEquals(THREADS * PER_THREAD, ledger.head(), "no retry was written");
        }
    }

    private static AppendResult.Appended append(Ledger ledger, String stream, EventId id) {
        EventData event = EventData.json("t", "{\"i\":1}".getBytes()).withEventId(id);
        return (AppendResult.Appended) ledger.append(stream, ExpectedVersion.ANY, event);
    }
}
