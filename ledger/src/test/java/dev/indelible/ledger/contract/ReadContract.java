package dev.indelible.ledger.contract;

import static dev.indelible.ledger.ExpectedVersion.ANY;
import static dev.indelible.ledger.testing.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.EventReader;
import dev.indelible.ledger.RecordedEvent;
import dev.indelible.ledger.Subscription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/** Reads: forward, by stream, pull cursors and live subscriptions. */
public abstract class ReadContract extends LedgerContract {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void shouldReadForwardFromAnyPositionInPages() {
        open();
        appendInOrder(0, 5_000, i -> "s-" + (i % 3));

        List<RecordedEvent> middle = ledger.read(2_500, 100);
        List<RecordedEvent> tail = ledger.read(4_990, 100);

        assertEquals(100, middle.size());
        assertEquals(2_500, middle.get(0).globalSeq());
        assertEquals(2_599, middle.get(99).globalSeq());
        assertEquals(10, tail.size());
        assertEquals(List.of(), ledger.read(5_000, 10));
    }

    @Test
    void shouldReadOneStreamInVersionOrderAmongOthers() {
        open();
        appendInOrder(0, 3_000, i -> i % 10 == 0 ? "wanted" : "noise-" + (i % 7));

        List<RecordedEvent> all = ledger.readStream("wanted", 0, 1_000);
        List<RecordedEvent> from = ledger.readStream("wanted", 250, 10);

        assertEquals(300, all.size());
        for (int v = 0; v < all.size(); v++) {
            assertEquals(v, all.get(v).streamVersion());
            assertEquals("wanted", all.get(v).stream());
            assertEquals(v * 10L, all.get(v).globalSeq());
        }
        assertEquals(250, from.get(0).streamVersion());
        assertEquals(10, from.size());
        assertEquals(List.of(), ledger.readStream("never-written", 0, 10));
    }

    @Test
    void shouldPollInOrderAndSeeLaterAppends() {
        open();
        ledger.append("s", ANY, List.of(event(0), event(1), event(2)));
        List<RecordedEvent> seen = new CopyOnWriteArrayList<>();
        try (EventReader reader = ledger.openReader(1)) {
            assertEquals(2, reader.poll(seen::add, 10));
            assertEquals(0, reader.poll(seen::add, 10));

            ledger.append("s", ANY, event(3));

            assertEquals(1, reader.poll(seen::add, 10));
            assertEquals(4, reader.position());
        }
        assertEquals(List.of(1L, 2L, 3L), seen.stream().map(RecordedEvent::globalSeq).toList());
    }

    @Test
    void shouldDeliverPastThenLiveEventsExactlyOnceAndResumeFromItsPosition() throws Exception {
        open();
        appendInOrder(0, 1_000, i -> "s");
        List<Long> seen = new CopyOnWriteArrayList<>();
        long resumeAt;
        try (Subscription s = ledger.subscribe(0, e -> seen.add(e.globalSeq()))) {
            await(() -> seen.size() == 1_000, WAIT);
            appendInOrder(1_000, 1_500, i -> "s");
            await(() -> seen.size() == 1_500, WAIT);
            resumeAt = s.position();
        }
        appendInOrder(1_500, 1_700, i -> "s");
        try (Subscription resumed = ledger.subscribe(resumeAt, e -> seen.add(e.globalSeq()))) {
            await(() -> seen.size() == 1_700, WAIT);
        }

        assertEquals(1_500, resumeAt);
        for (int i = 0; i < 1_700; i++) {
            assertEquals(i, seen.get(i));
        }
    }

    @Test
    void shouldVerifyAHealthyJournal() {
        open();
        List<CompletableFuture<AppendResult>> appends = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            appends.add(ledger.appendAsync("s-" + (i % 5), ANY, i % 3 == 0 ? List.of(event(i), event(-i)) : List.of(event(i))));
        }
        appends.forEach(a -> appended(a.join()));

        var report = ledger.verify();

        assertTrue(report.ok(), report.problems().toString());
        assertEquals(ledger.head(), report.eventsChecked());
    }

    /**
     * Appends events {@code from} to {@code to}, each to {@code streamOf(i)}, and waits for all:
     * without waiting for each in turn, so a journal that commits remotely (Kafka) commits them in
     * groups. One producer's appends take positions in the order of its calls, so the journal holds
     * what appending them one by one would; these tests are about reading it.
     */
    private void appendInOrder(int from, int to, IntFunction<String> streamOf) {
        List<CompletableFuture<AppendResult>> appends = new ArrayList<>();
        for (int i = from; i < to; i++) {
            appends.add(ledger.appendAsync(streamOf.apply(i), ANY, event(i)));
        }
        appends.forEach(a -> appended(a.join()));
    }
}
