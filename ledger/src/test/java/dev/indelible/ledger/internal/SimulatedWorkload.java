package dev.indelible.ledger.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.EventId;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerException;
import dev.indelible.ledger.RecordedEvent;
import dev.indelible.ledger.Transaction;
import dev.indelible.ledger.TransactionResult;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The client side of one {@link SimulationTest} seed: appends to four streams, one stream at a
 * time or as transactions of two or three parts (sometimes with a condition that may fail), retries
 * appends whose outcome is unknown with the same ids, and checks a ledger against what it was told:
 * every acknowledged event there, whole, at its {@code global_seq}; every append and transaction
 * ever tried there whole, at consecutive {@code global_seq}s, or not at all; refused ones absent.
 *
 * <p>Not thread-safe.
 */
final class SimulatedWorkload {
    private static final int STREAMS = 4;

    /** An acknowledged event: where it is and what it holds. */
    private record Acked(long globalSeq, String stream, byte[] payload) {
    }

    /** An append to one stream ({@code single}) or a transaction; the parts in the order they are written. */
    private record Attempt(Transaction transaction, boolean single) {
        List<EventData> events() {
            List<EventData> all = new ArrayList<>();
            transaction.parts().forEach(p -> all.addAll(p.events()));
            return all;
        }

        String streamOf(int event) {
            for (Transaction.Part part : transaction.parts()) {
                if (event < part.events().size()) {
                    return part.stream();
                }
                event -= part.events().size();
            }
            throw new IndexOutOfBoundsException(event);
        }
    }

    private final Map<EventId, Acked> acked = new LinkedHashMap<>();
    /** Failed: written or not, a client cannot tell; retried with the same ids. */
    private final List<Attempt> unknown = new ArrayList<>();
    /** Every attempt made, each once. */
    private final List<Attempt> attempted = new ArrayList<>();
    private final List<Attempt> refused = new ArrayList<>();
    long acknowledgedChecked;
    long transactionsCommitted;
    long transactionsRefused;

    /** One append, a new one or a retry of one whose outcome is unknown; true when the ledger stopped. */
    boolean appendOne(Ledger ledger, Random driver) {
        Attempt attempt;
        if (!unknown.isEmpty() && driver.nextInt(3) == 0) {
            attempt = unknown.remove(driver.nextInt(unknown.size()));
        } else {
            attempt = driver.nextInt(4) == 0 ? newTransaction(driver) : new Attempt(Transaction.builder()
                .append("stream-" + driver.nextInt(STREAMS), ExpectedVersion.ANY, newEvents(driver)).build(), true);
            attempted.add(attempt);
        }
        try {
            List<AppendResult.Appended> parts = attempt.single() ? appendSingle(ledger, attempt) : commit(ledger, attempt);
            if (parts == null) {
                refused.add(attempt);
                transactionsRefused++;
                return false;
            }
            int i = 0;
            for (int p = 0; p < parts.size(); p++) {
                for (int k = 0; k < parts.get(p).count(); k++, i++) {
                    EventData e = attempt.events().get(i);
                    long seq = parts.get(p).firstGlobalSeq() + k;
                    Acked before = acked.put(e.eventId(), new Acked(seq, attempt.streamOf(i), e.payload()));
                    assertTrue(before == null || before.globalSeq() == seq, "an acknowledged event moved: " + e.eventId());
                }
            }
            return false;
        } catch (LedgerException e) {
            SimulationTest.trace("append %s failed: %s", attempt.events().get(0).eventId(), e.getMessage());
            unknown.add(attempt);
            return e.getMessage().contains("accepts no more") || e.getMessage().contains("process crash");
        }
    }

    private static List<AppendResult.Appended> appendSingle(Ledger ledger, Attempt attempt) {
        Transaction.Part part = attempt.transaction().parts().get(0);
        AppendResult result = ledger.append(part.stream(), ExpectedVersion.ANY, part.events());
        SimulationTest.trace("append %s %s: %s", part.stream(), part.events().get(0).eventId(), result);
        assertTrue(result instanceof AppendResult.Appended, result.toString());
        return List.of((AppendResult.Appended) result);
    }

    /** The parts as committed, or null when the transaction's condition did not hold. */
    private List<AppendResult.Appended> commit(Ledger ledger, Attempt attempt) {
        TransactionResult result = ledger.append(attempt.transaction());
        SimulationTest.trace("transaction %s: %s", attempt.events().get(0).eventId(), result);
        if (result instanceof TransactionResult.ConditionFailed) {
            return null;
        }
        assertTrue(result instanceof TransactionResult.Committed, result.toString());
        transactionsCommitted++;
        return ((TransactionResult.Committed) result).parts();
    }

    /** Two or three parts on distinct streams; one time in three, a condition that the last stream exists. */
    private static Attempt newTransaction(Random driver) {
        List<Integer> streams = new ArrayList<>(List.of(0, 1, 2, 3));
        Collections.shuffle(streams, driver);
        Transaction.Builder tx = Transaction.builder();
        int parts = 2 + driver.nextInt(2);
        for (int p = 0; p < parts; p++) {
            // Mostly one event a part, so a seed appends about as many events as before transactions.
            tx.append("stream-" + streams.get(p), ExpectedVersion.ANY, newEvents(driver, 1 + driver.nextInt(4) / 3));
        }
        if (driver.nextInt(3) == 0) {
            tx.require("stream-" + streams.get(STREAMS - 1), ExpectedVersion.STREAM_EXISTS);
        }
        return new Attempt(tx.build(), false);
    }

    private static List<EventData> newEvents(Random driver) {
        return newEvents(driver, 1 + (driver.nextInt(4) == 0 ? driver.nextInt(5) : 0));
    }

    private static List<EventData> newEvents(Random driver, int count) {
        List<EventData> events = new ArrayList<>();
        for (int i = count; i > 0; i--) {
            byte[] payload = new byte[1 + driver.nextInt(300)];
            driver.nextBytes(payload);
            events.add(EventData.protobuf("sim.event", payload).withEventId(new EventId(driver.nextLong(), driver.nextLong())));
        }
        return events;
    }

    /** Damage the open found at {@code globalSeq} may hold nothing acknowledged. */
    void assertNothingAcknowledgedFrom(long globalSeq, Exception e) {
        for (Acked a : acked.values()) {
            assertTrue(a.globalSeq() < globalSeq, "acknowledged event at global_seq " + a.globalSeq()
                + " lies in the damage the open found: " + e.getMessage());
        }
    }

    /** Checks the journal the ledger reads against everything acknowledged, attempted and refused. */
    void check(Ledger ledger) {
        Map<EventId, RecordedEvent> there = new HashMap<>();
        long seq = 0;
        for (List<RecordedEvent> page = ledger.read(0, 1_000); !page.isEmpty(); page = ledger.read(seq, 1_000)) {
            for (RecordedEvent e : page) {
                assertEquals(seq++, e.globalSeq(), "dense global_seq");
                assertTrue(there.put(e.eventId(), e) == null, "written twice: " + e.eventId());
            }
        }
        for (Map.Entry<EventId, Acked> a : acked.entrySet()) {
            RecordedEvent e = there.get(a.getKey());
            assertTrue(e != null, "acknowledged event lost: " + a.getKey() + " at global_seq " + a.getValue().globalSeq()
                + "; the journal holds " + seq);
            assertEquals(a.getValue().globalSeq(), e.globalSeq(), "acknowledged event moved");
            assertEquals(a.getValue().stream(), e.stream());
            assertArrayEquals(a.getValue().payload(), e.payload());
            acknowledgedChecked++;
        }
        for (Attempt a : attempted) {
            assertWholeOrAbsent(a, there);
        }
        for (Attempt a : refused) {
            assertTrue(!there.containsKey(a.events().get(0).eventId()), "a refused transaction is in the journal: " + a);
        }
    }

    private static void assertWholeOrAbsent(Attempt attempt, Map<EventId, RecordedEvent> there) {
        List<EventData> events = attempt.events();
        RecordedEvent first = there.get(events.get(0).eventId());
        for (int k = 0; k < events.size(); k++) {
            RecordedEvent e = there.get(events.get(k).eventId());
            String what = "partial " + (attempt.single() ? "append" : "transaction") + ": event " + k + " of " + events.size();
            if (first == null) {
                if (e != null) {
                    throw new AssertionError(what + " is at global_seq " + e.globalSeq() + ", event 0 is not there");
                }
                continue;
            }
            assertTrue(e != null, what + " is missing, event 0 is at global_seq " + first.globalSeq());
            assertEquals(first.globalSeq() + k, e.globalSeq(), "the events of one append are consecutive");
            assertEquals(attempt.streamOf(k), e.stream(), "event " + k + "'s stream");
            assertArrayEquals(events.get(k).payload(), e.payload(), "event " + k + " is whole");
        }
    }
}
