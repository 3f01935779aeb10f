package dev.indelible.ledger.contract;

import static dev.indelible.ledger.ExpectedVersion.ANY;
import static dev.indelible.ledger.ExpectedVersion.NO_STREAM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.Durability;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.EventId;
import dev.indelible.ledger.RecordedEvent;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Real threads, exact counts. */
public abstract class ConcurrencyContract extends LedgerContract {

    /**
     * Blocking appends per producer thread in the eight-thread test. A journal whose every
     * acknowledgement waits for a remote commit (Kafka) runs fewer; the checks are the same.
     */
    protected int appendsPerProducer() {
        return 50_000;
    }

    @Test
    void shouldKeepEveryAppendOfEightThreadsDenseAndInProducerOrder() throws Exception {
        open();
        int threads = 8;
        int perThread = appendsPerProducer();
        runTogether(threads, t -> {
            for (int i = 0; i < perThread; i++) {
                ledger.append("producer-" + t, ANY, json("{\"t\":" + t + ",\"i\":" + i + "}")
                    .withEventId(new EventId(t, i)));
            }
        });

        assertEquals(threads * (long) perThread, ledger.head());
        long[] nextPerThread = new long[threads];
        Set<EventId> ids = new HashSet<>();
        long seq = 0;
        for (List<RecordedEvent> page = ledger.read(0, 20_000); !page.isEmpty(); page = ledger.read(seq, 20_000)) {
            for (RecordedEvent e : page) {
                assertEquals(seq++, e.globalSeq());
                int t = (int) e.eventId().mostSignificant();
                assertEquals(nextPerThread[t]++, e.eventId().leastSignificant(), "producer " + t + " out of order");
                assertTrue(ids.add(e.eventId()), "event id twice: " + e.eventId());
            }
        }
        assertEquals(threads * (long) perThread, ids.size());
    }

    @Test
    void shouldLetExactlyOneOfSixteenThreadsCreateAStream() throws Exception {
        open();
        ConcurrentLinkedQueue<AppendResult> results = new ConcurrentLinkedQueue<>();

        runTogether(16, t -> results.add(ledger.append("email-alice@example.com", NO_STREAM, event(t))));

        assertEquals(1, results.stream().filter(AppendResult.Appended.class::isInstance).count());
        List<AppendResult.WrongExpectedVersion> losers = results.stream()
            .filter(AppendResult.WrongExpectedVersion.class::isInstance).map(AppendResult.WrongExpectedVersion.class::cast).toList();
        assertEquals(15, losers.size());
        losers.forEach(w -> assertEquals(0, w.actualVersion()));
        assertEquals(1, ledger.head());
    }

    @Test
    void shouldWriteAnEventIdOnceWhenTwoThreadsAppendItTogether() throws Exception {
        open();
        List<EventData> events = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            events.add(event(i));
        }

        runTogether(2, t -> events.forEach(e -> ledger.append("s-" + e.eventId().leastSignificant() % 4, ANY, e)));

        assertEquals(2_000, ledger.head());
        assertEquals(2_000, ledger.read(0, 5_000).stream().map(RecordedEvent::eventId).distinct().count());
        assertEquals(2_000, ledger.metrics().duplicates());
    }

    @Test
    void shouldCompleteAThousandAsyncAppendsInOrderWithFarFewerSyncs() {
        ledger = openLedger(dir, config().toBuilder().durability(Durability.SYNC).build());
        List<CompletableFuture<AppendResult>> futures = new ArrayList<>();
        AtomicLong lastCompleted = new AtomicLong(-1);
        ConcurrentLinkedQueue<String> disorder = new ConcurrentLinkedQueue<>();

        for (int i = 0; i < 1_000; i++) {
            futures.add(ledger.appendAsync("s", ANY, event(i)).whenComplete((r, e) -> {
                long seq = appended(r).firstGlobalSeq();
                if (lastCompleted.getAndSet(seq) >= seq) {
                    disorder.add("completed " + seq + " after a later one");
                }
            }));
        }
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).join();

        for (int i = 0; i < 1_000; i++) {
            assertEquals(i, appended(futures.get(i).join()).firstGlobalSeq());
        }
        assertEquals(List.of(), List.copyOf(disorder));
        long syncs = ledger.metrics().syncs();
        System.out.printf("1,000 async appends under SYNC took %d syncs%n", syncs);
        assertEquals(1_000, ledger.metrics().eventsAppended());
        assertTrue(syncs > 0 && syncs < 500, "syncs: " + syncs);
    }

    /** Runs {@code body(t)} on {@code threads} threads released together; rethrows the first failure. */
    static void runTogether(int threads, ThreadBody body) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<Thread> running = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            running.add(new Thread(() -> {
                try {
                    start.await();
                    body.run(id);
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        running.forEach(Thread::start);
        start.countDown();
        for (Thread t : running) {
            t.join();
        }
        if (!failures.isEmpty()) {
            throw new AssertionError("a producer thread failed", failures.peek());
        }
    }

    @FunctionalInterface
    interface ThreadBody {
        void run(int thread) throws Exception;
    }
}
