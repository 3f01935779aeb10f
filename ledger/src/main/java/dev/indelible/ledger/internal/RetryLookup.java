package dev.indelible.ledger.internal;

import com.google.protobuf.ByteString;
import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.EventId;
import dev.indelible.ledger.Transaction;
import dev.indelible.ledger.TransactionResult;
import dev.indelible.ledger.proto.Envelope;
import dev.indelible.ledger.spi.JournalCursor;
import dev.indelible.ledger.spi.RecordBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Idempotency: finds whether an append's event ids are in the journal already, through the id
 * index and a read of each candidate record (the index holds fingerprints, so a candidate is
 * only a candidate until its record says so). A retry of the whole append is answered with its
 * original position; an id reused with other content is a conflict. The same for transactions.
 *
 * <p>Not thread-safe: used under the ledger's lock. Owns its cursor.
 */
final class RetryLookup implements EventIdIndex.AddressPredicate, AutoCloseable {
    private static final String DIFFERENT = "was recorded with a different stream, type, payload or batch";

    private final JournalCursor cursor;
    private final RecordBuffer buffer = new RecordBuffer();
    private final RecordView view = new RecordView();
    private long mostSignificant;
    private long leastSignificant;
    /** Index, in the record found, of the event holding the id looked up. */
    private int index;
    private long duplicates;

    RetryLookup(JournalCursor cursor) {
        this.cursor = cursor;
    }

    /**
     * Answers a retry (appended earlier) or refuses an id conflict into {@code outcome}; returns
     * false, touching nothing, when no event id of the append is known.
     */
    boolean answered(EventIdIndex ids, String stream, List<EventData> events, AppendOutcome outcome) {
        for (int i = 0; i < events.size(); i++) {
            EventId id = events.get(i).eventId();
            mostSignificant = id.mostSignificant();
            leastSignificant = id.leastSignificant();
            long address = ids.find(EventIdIndex.fingerprint(mostSignificant, leastSignificant), this);
            if (address >= 0) {
                if (i == 0 && index == 0) {
                    compareWithOriginal(stream, events, outcome);
                } else {
                    outcome.refused(stream, conflict(stream, id, "is already recorded"));
                }
                return true;
            }
        }
        return false;
    }

    private void compareWithOriginal(String stream, List<EventData> events, AppendOutcome outcome) {
        Envelope first = view.envelope(0);
        if (view.count() != events.size()) {
            outcome.refused(stream, conflict(stream, events.get(0).eventId(), "was recorded in an append of "
                + view.count() + " events"));
            return;
        }
        for (int j = 0; j < events.size(); j++) {
            if (!sameEvent(j == 0 ? first : view.envelope(j), stream, events.get(j))) {
                index = j; // the conflict names the original of the event that differs
                outcome.refused(stream, conflict(stream, events.get(j).eventId(), DIFFERENT));
                return;
            }
        }
        duplicates++;
        outcome.appended(stream, first.getGlobalSeq(), first.getStreamVersion(), events.size(), true);
    }

    /**
     * {@link #answered} for a transaction: a retry of the whole transaction, event for event, is
     * answered with its original positions; any other known id is a conflict of its part.
     *
     * @return the answer, or null when no event id of the transaction is known
     */
    TransactionResult answered(EventIdIndex ids, List<Transaction.Part> parts) {
        for (int p = 0; p < parts.size(); p++) {
            Transaction.Part part = parts.get(p);
            for (int i = 0; i < part.events().size(); i++) {
                EventId id = part.events().get(i).eventId();
                mostSignificant = id.mostSignificant();
                leastSignificant = id.leastSignificant();
                if (ids.find(EventIdIndex.fingerprint(mostSignificant, leastSignificant), this) >= 0) {
                    return p == 0 && i == 0 && index == 0 ? compareWithOriginal(parts)
                        : new TransactionResult.PartRefused(p, conflict(part.stream(), id, "is already recorded"));
                }
            }
        }
        return null;
    }

    private TransactionResult compareWithOriginal(List<Transaction.Part> parts) {
        int total = 0;
        for (Transaction.Part part : parts) {
            total += part.events().size();
        }
        if (view.count() != total) {
            return new TransactionResult.PartRefused(0, conflict(parts.get(0).stream(),
                parts.get(0).events().get(0).eventId(), "was recorded in an append of " + view.count() + " events"));
        }
        List<AppendResult.Appended> appended = new ArrayList<>(parts.size());
        int j = 0;
        for (int p = 0; p < parts.size(); p++) {
            Transaction.Part part = parts.get(p);
            Envelope start = view.envelope(j);
            for (EventData retry : part.events()) {
                if (!sameEvent(view.envelope(j), part.stream(), retry)) {
                    index = j;
                    return new TransactionResult.PartRefused(p, conflict(part.stream(), retry.eventId(), DIFFERENT));
                }
                j++;
            }
            appended.add(new AppendResult.Appended(part.stream(), start.getGlobalSeq(), start.getStreamVersion(),
                part.events().size(), true));
        }
        duplicates++;
        return new TransactionResult.Committed(appended, true);
    }

    private static boolean sameEvent(Envelope original, String stream, EventData retry) {
        return original.getStream().equals(stream) && original.getType().equals(retry.type())
            && Arrays.equals(original.getPayload().toByteArray(), retry.payload())
            && original.getEventId().equals(ByteString.copyFrom(retry.eventId().toBytes()));
    }

    /** A conflict with the record found: its event at {@link #index} holds the id. */
    private AppendResult.EventIdConflict conflict(String stream, EventId id, String why) {
        Envelope original = view.envelope(index);
        return new AppendResult.EventIdConflict(stream, id, original.getGlobalSeq(),
            "event id " + id + " " + why + " (global_seq " + original.getGlobalSeq() + ", stream '"
                + original.getStream() + "'); a retry must repeat the original append exactly");
    }

    /** Does the record at {@code address} hold the event id being looked up? Sets {@link #index}. */
    @Override
    public boolean test(long address) {
        if (!cursor.seek(address) || !cursor.next(buffer) || view.load(buffer) != null) {
            return false;
        }
        index = view.indexOf(mostSignificant, leastSignificant);
        return index >= 0;
    }

    /** Retries answered with their original position. */
    long duplicates() {
        return duplicates;
    }

    @Override
    public void close() {
        cursor.close();
    }
}
