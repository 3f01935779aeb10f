package dev.indelible.ledger.internal;

import dev.indelible.ledger.AppendReceipt;
import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.CorruptJournalException;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.EventId;
import dev.indelible.ledger.EventRule;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.LedgerMetrics;
import dev.indelible.ledger.RecordedEvent;
import dev.indelible.ledger.proto.Envelope;
import dev.indelible.ledger.spi.Journal;
import dev.indelible.ledger.spi.JournalCursor;
import dev.indelible.ledger.spi.RecordBuffer;
import dev.indelible.ledger.spi.RecordOutput;
import dev.indelible.ledger.spi.WriteTransaction;
import java.io.IOException;
import java.time.Instant;
import java.util.Arrays;
import java.util.AbstractList;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * One append, decided under the journal's write lock: catch up on other writers' records, answer
 * retries from the idempotency index, check the expected version, then encode and write the
 * record. Owns the {@link LedgerState} and the cursors that keep it current. Reused for every
 * append so the path allocates nothing of its own.
 *
 * <p>Not thread-safe: used under the ledger's lock.
 */
final class WriteStep implements WriteTransaction, EventIdIndex.AddressPredicate {
    LedgerState state;
    private final JournalCursor catchUpCursor;
    private final RecordBuffer catchUpBuffer = new RecordBuffer();
    private final RecordView catchUpView = new RecordView();
    private final JournalCursor lookupCursor;
    private final RecordBuffer lookupBuffer = new RecordBuffer();
    private final RecordView lookupView = new RecordView();
    private final RecordEncoder encoder = new RecordEncoder();
    private final SingleEvent single = new SingleEvent();
    private final LedgerConfig config;

    private String stream;
    private long expectedVersion;
    private List<EventData> events;
    /** What each event's rule requires (null entries: no rule), or null when none has one. */
    private EventRule.Requirement[] requirements;
    private List<RecordedEvent> recorded;
    private String refusal;
    /** The outcome: a refusal, or null when appended (now, or earlier for a retry) as the fields below say. */
    private AppendResult rejection;
    private long firstSeq;
    private long firstVersion;
    private int count;
    private boolean duplicate;
    private long lookupMostSignificant;
    private long lookupLeastSignificant;
    private int lookupIndex;

    private long appendCalls;
    private long eventsAppended;
    private long duplicates;
    private long rejected;
    private long caughtUp;

    WriteStep(JournalCursor catchUpCursor, JournalCursor lookupCursor, LedgerConfig config) {
        this.catchUpCursor = catchUpCursor;
        this.lookupCursor = lookupCursor;
        this.config = config;
    }

    /**
     * Adopts {@code saved} if the journal still holds the record it ends with, and positions the
     * catch-up cursor after it. A fresh state always fits.
     */
    boolean resumeFrom(LedgerState saved) {
        if (saved.lastAddress < 0) {
            catchUpCursor.toStart();
            state = saved;
            return saved.nextSeq == 0;
        }
        if (!catchUpCursor.seek(saved.lastAddress) || !catchUpCursor.next(catchUpBuffer)
            || catchUpView.load(catchUpBuffer) != null
            || catchUpView.firstSeq() + catchUpView.count() != saved.nextSeq || catchUpView.lastCrc() != saved.lastCrc) {
            return false;
        }
        state = saved;
        return true;
    }

    /** Applies every record committed since the last one applied; returns how many events that was. */
    long catchUp() {
        long applied = 0;
        while (catchUpCursor.next(catchUpBuffer)) {
            if (catchUpBuffer.address() <= state.lastAddress) {
                continue; // this process's own record, applied when it was written
            }
            String problem = catchUpView.load(catchUpBuffer);
            if (problem != null) {
                throw damaged(problem);
            }
            // A whole record out of place is not a torn write: never cut, wherever it is.
            if (catchUpView.firstSeq() != state.nextSeq) {
                throw new CorruptJournalException(state.nextSeq, catchUpBuffer.location(),
                    "record holds global_seq " + catchUpView.firstSeq() + " where " + state.nextSeq + " was due");
            }
            if (catchUpView.prevCrc() != state.lastCrc) {
                throw new CorruptJournalException(state.nextSeq, catchUpBuffer.location(),
                    "checksum chain broken: the record does not follow the one before it");
            }
            state.apply(catchUpView, catchUpBuffer.address());
            applied += catchUpView.count();
        }
        caughtUp += applied;
        return applied;
    }

    /**
     * The damage at the catch-up cursor, as a torn tail when no valid record follows it (what a
     * crash mid-write leaves), else as damage inside the journal, which is never cut.
     */
    private CorruptJournalException damaged(String problem) {
        long seq = state.nextSeq;
        String location = catchUpBuffer.location();
        long address = catchUpBuffer.address();
        try {
            while (catchUpCursor.next(catchUpBuffer)) {
                if (catchUpView.load(catchUpBuffer) == null) {
                    return new CorruptJournalException(seq, location, problem);
                }
            }
        } catch (RuntimeException unreadable) {
            return new CorruptJournalException(seq, location, problem + "; what follows cannot be read: " + unreadable);
        }
        return new TornTailException(seq, location, problem, address);
    }

    /** The last record read, or an empty buffer when the journal holds none. */
    RecordBuffer lastRecord() {
        return catchUpBuffer;
    }

    /** Writes events another ledger recorded, at the same positions; see {@code Ledger.appendRecorded}. */
    AppendResult appendRecorded(Journal journal, List<RecordedEvent> copies, List<EventData> asData) throws IOException {
        this.recorded = copies;
        this.refusal = null;
        try {
            // A copy keeps history as recorded: rules are checked when events are first appended.
            append(journal, copies.get(0).stream(), ExpectedVersion.ANY, asData, null);
            if (refusal != null) {
                throw new IllegalArgumentException(refusal);
            }
            return result();
        } finally {
            this.recorded = null;
        }
    }

    /**
     * Decides and writes one append; its outcome stays readable through {@link #appended},
     * {@link #result} and {@link #fill} until the next append. Allocates nothing when appended.
     */
    void append(Journal journal, String appendStream, long expected, List<EventData> appendEvents,
                EventRule.Requirement[] appendRequirements) throws IOException {
        this.stream = appendStream;
        this.expectedVersion = expected;
        this.events = appendEvents;
        this.requirements = appendRequirements;
        long address = journal.write(this);
        if (address >= 0) {
            KillPoints.reach(KillPoints.BEFORE_INDEX);
            for (int i = 0; i < count; i++) {
                EventData e = appendEvents.get(i);
                state.eventIds.put(EventIdIndex.fingerprint(e.eventId().mostSignificant(),
                    e.eventId().leastSignificant()), address);
            }
            state.streams.advance(appendStream, firstVersion + count - 1, address);
            state.advance(firstSeq, count, encoder.lastCrc(), address);
            appendCalls++;
            eventsAppended += count;
        }
        this.events = null;
        this.requirements = null;
        single.event = null;
    }

    /** Whether the last append's events are in the journal: written now, or earlier for a retry. */
    boolean appended() {
        return rejection == null;
    }

    /** The last append's outcome as a value. */
    AppendResult result() {
        return rejection != null ? rejection : new AppendResult.Appended(stream, firstSeq, firstVersion, count, duplicate);
    }

    /** The last append's outcome into the caller's receipt, allocating nothing. */
    void fill(AppendReceipt receipt) {
        if (rejection != null) {
            receipt.fill(rejection);
        } else {
            receipt.fillAppended(stream, firstSeq, firstVersion, count, duplicate);
        }
    }

    /** Under the lock: {@code event} as the list {@link #append} takes, without allocating one. */
    List<EventData> single(EventData event) {
        single.event = event;
        return single;
    }

    /** A reusable one-element list, valid until the append it was made for returns. */
    private static final class SingleEvent extends AbstractList<EventData> implements RandomAccess {
        EventData event;

        @Override
        public EventData get(int index) {
            Objects.checkIndex(index, 1);
            return event;
        }

        @Override
        public int size() {
            return 1;
        }
    }

    @Override
    public void run(RecordOutput out) {
        catchUp();
        if (recorded != null) {
            writeRecorded(out);
            return;
        }
        if (answeredRetry()) {
            return;
        }
        long actual = state.streams.version(stream);
        if (!ExpectedVersion.matches(expectedVersion, actual)) {
            rejected++;
            rejection = new AppendResult.WrongExpectedVersion(stream, expectedVersion, actual);
            return;
        }
        if (requirements != null && !rulesHold(actual)) {
            return;
        }
        StreamIndex.Head head = state.streams.get(stream);
        long nextVersion = head == null ? 0 : head.version + 1;
        long prevAddress = head == null ? RecordLayout.NO_ADDRESS : head.lastAddress;
        int length = encoder.encode(stream, events, state.nextSeq, nextVersion, prevAddress, state.lastCrc,
            nowMicros(), config.producerId());
        out.write(encoder.buffer(), 0, length);
        appendedAt(state.nextSeq, nextVersion, false);
    }

    private void appendedAt(long seq, long version, boolean retry) {
        rejection = null;
        firstSeq = seq;
        firstVersion = version;
        count = events.size();
        duplicate = retry;
    }

    private void writeRecorded(RecordOutput out) {
        RecordedEvent first = recorded.get(0);
        StreamIndex.Head head = state.streams.get(stream);
        long nextVersion = head == null ? 0 : head.version + 1;
        if (first.globalSeq() != state.nextSeq || first.streamVersion() != nextVersion) {
            refusal = "event at global_seq " + first.globalSeq() + " (stream '" + stream + "' version "
                + first.streamVersion() + ") does not continue this ledger, which is at global_seq " + state.nextSeq
                + " and stream version " + nextVersion;
            rejection = new AppendResult.WrongExpectedVersion(stream, first.streamVersion() - 1, nextVersion - 1);
            return;
        }
        if (answeredRetry()) {
            refusal = "event " + first.eventId() + " is already in this ledger";
            return;
        }
        long prevAddress = head == null ? RecordLayout.NO_ADDRESS : head.lastAddress;
        int length = encoder.encode(stream, events, state.nextSeq, nextVersion, prevAddress, state.lastCrc,
            first.recordedAtMicros(), first.producerId());
        out.write(encoder.buffer(), 0, length);
        appendedAt(state.nextSeq, nextVersion, false);
    }

    /**
     * Checks every event's rule against the journal as it is now: the stream's version just before
     * that event, then each condition. Sets the rejection and returns false at the first that fails.
     */
    private boolean rulesHold(long actual) {
        for (int i = 0; i < requirements.length; i++) {
            EventRule.Requirement requirement = requirements[i];
            if (requirement == null) {
                continue;
            }
            long before = actual + i; // NO_STREAM is -1: before event i of a new stream it is at i - 1
            if (!ExpectedVersion.matches(requirement.expectedVersion(), before)) {
                return violated(i, requirement.field(), stream, requirement.expectedVersion(), before, requirement.why());
            }
            for (EventRule.Condition condition : requirement.conditions()) {
                long version = condition.stream().equals(stream) ? before : state.streams.version(condition.stream());
                if (!ExpectedVersion.matches(condition.expectedVersion(), version)) {
                    return violated(i, condition.field(), condition.stream(), condition.expectedVersion(), version,
                        condition.why());
                }
            }
        }
        return true;
    }

    private boolean violated(int i, String field, String checked, long required, long actual, String why) {
        rejected++;
        rejection = new AppendResult.RuleViolated(stream, i, events.get(i).type(), field, checked, required, actual, why);
        return false;
    }


    /** Answers a retry or refuses an id conflict; false when no event id of this append is known. */
    private boolean answeredRetry() {
        for (int i = 0; i < events.size(); i++) {
            EventId id = events.get(i).eventId();
            lookupMostSignificant = id.mostSignificant();
            lookupLeastSignificant = id.leastSignificant();
            long address = state.eventIds.find(EventIdIndex.fingerprint(lookupMostSignificant, lookupLeastSignificant), this);
            if (address >= 0) {
                if (i == 0 && lookupIndex == 0) {
                    compareWithOriginal();
                } else {
                    conflict(id, "is already recorded");
                }
                return true;
            }
        }
        return false;
    }

    private void compareWithOriginal() {
        Envelope first = lookupView.envelope(0);
        if (lookupView.count() != events.size()) {
            conflict(events.get(0).eventId(), "was recorded in an append of " + lookupView.count() + " events");
            return;
        }
        for (int j = 0; j < events.size(); j++) {
            Envelope original = j == 0 ? first : lookupView.envelope(j);
            EventData retry = events.get(j);
            if (!original.getStream().equals(stream) || !original.getType().equals(retry.type())
                || !Arrays.equals(original.getPayload().toByteArray(), retry.payload())
                || !original.getEventId().equals(com.google.protobuf.ByteString.copyFrom(retry.eventId().toBytes()))) {
                conflict(events.get(j).eventId(), "was recorded with a different stream, type, payload or batch");
                return;
            }
        }
        duplicates++;
        appendedAt(first.getGlobalSeq(), first.getStreamVersion(), true);
    }

    private void conflict(EventId id, String why) {
        rejected++;
        Envelope original = lookupView.envelope(lookupIndex);
        rejection = new AppendResult.EventIdConflict(stream, id, original.getGlobalSeq(),
            "event id " + id + " " + why + " (global_seq " + original.getGlobalSeq() + ", stream '"
                + original.getStream() + "'); a retry must repeat the original append exactly");
    }

    /** Does the record at {@code address} hold the event id being looked up? Sets {@link #lookupIndex}. */
    @Override
    public boolean test(long address) {
        if (!lookupCursor.seek(address) || !lookupCursor.next(lookupBuffer) || lookupView.load(lookupBuffer) != null) {
            return false;
        }
        lookupIndex = lookupView.indexOf(lookupMostSignificant, lookupLeastSignificant);
        return lookupIndex >= 0;
    }

    private long nowMicros() {
        Instant now = config.clock().instant();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    LedgerMetrics metrics(long syncs) {
        return new LedgerMetrics(appendCalls, eventsAppended, duplicates, rejected, syncs, caughtUp);
    }

    void close() {
        catchUpCursor.close();
        lookupCursor.close();
    }
}
