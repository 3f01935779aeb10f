package dev.indelible.ledger.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.indelible.ledger.EventData;
import dev.indelible.ledger.EventReader;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.RecordedEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoints are written while appends go on (the lock is taken per chunk): every checkpoint
 * caught while four threads append must be the state as of one {@code global_seq}, checked against
 * what the journal holds before and after it.
 */
class CheckpointUnderLoadTest {
    private static final int THREADS = 4;
    /** Appends go on until this many checkpoints were caught mid-way (or each thread made MAX_PER_THREAD). */
    private static final int CHECKPOINTS = 3;
    private static final int MAX_PER_THREAD = 500_000;

    @TempDir
    Path dir;

    @Test
    void shouldWriteEveryCheckpointAsTheStateOfOneMomentWhileThreadsAppend() throws Exception {
        LedgerConfig config = LedgerConfig.builder().checkpointInterval(1_000).build();
        Path stateDir = dir.resolve("journal-state");
        List<LedgerState> caught = new ArrayList<>();
        AtomicLong appended = new AtomicLong();
        AtomicBoolean enough = new AtomicBoolean();
        try (Ledger ledger = Ledger.open(dir, config)) {
            AtomicInteger running = new AtomicInteger(THREADS);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                Thread appender = new Thread(() -> {
                    // As long as it takes to catch the checkpoints on a loaded machine, not a fixed count.
                    for (int i = 0; i < MAX_PER_THREAD && !enough.get(); i++) {
                        // Old streams move on and new ones appear while checkpoints are written.
                        String stream = i % 2 == 0 ? "s-" + thread + "-" + i % 100 : "s-" + thread + "-" + i / 10;
                        ledger.append(stream, ExpectedVersion.ANY, EventData.json("t", "{\"i\":1}".getBytes()));
                        appended.incrementAndGet();
                    }
                    running.decrementAndGet();
                });
                appender.start();
                threads.add(appender);
            }
            Checkpoint checkpoint = new Checkpoint(stateDir);
            FileTime last = null;
            while (running.get() > 0) {
                Path file = stateDir.resolve(Checkpoint.FILE_NAME);
                FileTime modified = Files.exists(file) ? Files.getLastModifiedTime(file) : null;
                if (modified != null && !modified.equals(last)) {
                    LedgerState state = loadQuietly(checkpoint);
                    if (state != null && running.get() == THREADS) {
                        caught.add(state);
                        enough.set(caught.size() >= CHECKPOINTS);
                    }
                    last = modified;
                }
                Thread.sleep(5);
            }
            for (Thread thread : threads) {
                thread.join();
            }
        }
        assertTrue(caught.size() >= CHECKPOINTS, "checkpoints caught while appends ran: " + caught.size());

        List<RecordedEvent> events = readAll(config);
        assertEquals(appended.get(), events.size());
        for (LedgerState state : caught) {
            assertIsTheJournalUpTo(state, events);
        }
    }

    private static void assertIsTheJournalUpTo(LedgerState state, List<RecordedEvent> events) {
        int upTo = (int) state.nextSeq();
        Map<String, Long> versions = new HashMap<>();
        for (RecordedEvent e : events.subList(0, upTo)) {
            versions.put(e.stream(), e.streamVersion());
        }
        assertEquals(versions.size(), state.streams().size(), "streams in the checkpoint at " + upTo);
        versions.forEach((stream, version) -> {
            StreamIndex.Head head = state.streams().get(stream);
            assertNotNull(head, stream + " in the checkpoint at " + upTo);
            assertEquals(version, head.version, "version of " + stream + " in the checkpoint at " + upTo);
        });
        assertEquals(upTo, state.eventIds().size(), "ids in the checkpoint at " + upTo);
        for (RecordedEvent e : events) {
            long found = state.eventIds().find(EventIdIndex.fingerprint(e.eventId().mostSignificant(),
                e.eventId().leastSignificant()), address -> true);
            assertEquals(e.globalSeq() < upTo, found >= 0, "id of event " + e.globalSeq() + " in the checkpoint at " + upTo);
        }
    }

    private static LedgerState loadQuietly(Checkpoint checkpoint) {
        try {
            return checkpoint.load();
        } catch (IOException e) {
            // Replaced while being read: the next one is caught instead.
            return null;
        }
    }

    private List<RecordedEvent> readAll(LedgerConfig config) {
        List<RecordedEvent> events = new ArrayList<>();
        try (Ledger ledger = Ledger.open(dir, config); EventReader reader = ledger.openReader(0)) {
            while (reader.poll(events::add, 10_000) > 0) {
                // reads to the end
            }
        }
        return events;
    }
}
