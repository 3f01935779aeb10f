package dev.indelible.ledger.internal;

import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.EventRule;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.LedgerMetrics;
import dev.indelible.ledger.RecordedEvent;
import dev.indelible.ledger.Transaction;
import dev.indelible.ledger.TransactionResult;
import dev.indelible.ledger.spi.Journal;
import dev.indelible.ledger.spi.RecordOutput;
import dev.indelible.ledger.spi.WriteTransaction;
import java.io.IOException;
import java.util.AbstractList;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * One append under the journal's write lock, in four steps each done by its own part: follow the
 * journal to its head ({@link Follower}), answer a retry ({@link RetryLookup}), decide on the
 * versions and rules ({@link AppendDecision}), then place the events the caller encoded
 * ({@link EncodedEvents}) in a record ({@link RecordEncoder}), write it and index it. Reused for every append, so the path allocates nothing
 * of its own; the outcome stays readable in {@link #outcome()} until the next append. A
 * transaction takes the same steps over its parts and returns its outcome as a value.
 *
 * <p>Not thread-safe: used under the ledger's lock.
 */
final class WriteStep implements WriteTransaction {
    private final Follower follower;
    private final RetryLookup retries;
    private final RecordEncoder encoder = new RecordEncoder();
    private final SingleEvent single = new SingleEvent();
    private final AppendOutcome outcome = new AppendOutcome();
    private final RecordedAtClock clock;

    private String stream;
    private long expectedVersion;
    private List<EventData> events;
    /** The events of the append or transaction, encoded but for their place in the journal. */
    private EncodedEvents encoded;
    /** What each event's rule requires (null entries: no rule), or null when none has one. */
    private EventRule.Requirement[] requirements;
    /** Events another ledger recorded, copied at their positions; null for a new append. */
    private List<RecordedEvent> recorded;

    /** The transaction being decided, or null for an append to one stream. */
    private Transaction transaction;
    /** Per part, what each event's rule requires, or null when no event has a rule. */
    private EventRule.Requirement[][] partRequirements;
    private TransactionResult transactionResult;
    /** Per part: its stream's version before the transaction, and its previous record's address. */
    private long[] versions = new long[4];
    private long[] prevAddresses = new long[4];

    private long appendCalls;
    private long eventsAppended;
    private long rejected;

    WriteStep(Follower follower, RetryLookup retries, LedgerConfig config) {
        this.follower = follower;
        this.retries = retries;
        this.clock = new RecordedAtClock(config.clock());
    }

    /**
     * Decides and writes one append; its outcome stays readable through {@link #outcome()} until
     * the next append. Allocates nothing when appended.
     */
    void append(Journal journal, String appendStream, long expected, List<EventData> appendEvents,
                EventRule.Requirement[] appendRequirements, EncodedEvents appendEncoded) throws IOException {
        this.stream = appendStream;
        this.encoded = appendEncoded;
        this.expectedVersion = expected;
        this.events = appendEvents;
        this.requirements = appendRequirements;
        try {
            long address = journal.write(this);
            if (address >= 0) {
                KillPoints.reach(KillPoints.BEFORE_INDEX);
                follower.state().appended(appendEvents, appendStream, outcome.firstSeq(), outcome.firstVersion(),
                    encoder.lastCrc(), address);
                appendCalls++;
                eventsAppended += appendEvents.size();
            }
        } finally {
            this.events = null;
            this.requirements = null;
            this.encoded = null;
            single.event = null;
        }
    }

    /**
     * Decides and writes a transaction, as {@link #append} an append: one record, its parts in
     * order. Returns its outcome.
     */
    TransactionResult append(Journal journal, Transaction appendTransaction, EventRule.Requirement[][] requirements,
                             EncodedEvents appendEncoded) throws IOException {
        int parts = appendTransaction.parts().size();
        if (versions.length < parts) {
            versions = new long[Math.max(parts, versions.length * 2)];
            prevAddresses = new long[versions.length];
        }
        this.transaction = appendTransaction;
        this.partRequirements = requirements;
        this.encoded = appendEncoded;
        this.transactionResult = null;
        try {
            long address = journal.write(this);
            if (address >= 0) {
                KillPoints.reach(KillPoints.BEFORE_INDEX);
                // writeTransaction left each part's first version in versions
                follower.state().appended(appendTransaction.parts(),
                    ((TransactionResult.Committed) transactionResult).firstGlobalSeq(), versions, encoder.lastCrc(),
                    address);
                appendCalls++;
                eventsAppended += appendTransaction.eventCount();
            }
            return transactionResult;
        } finally {
            this.transaction = null;
            this.partRequirements = null;
            this.encoded = null;
        }
    }

    /**
     * Writes events another ledger recorded, at the same positions, as one record (of one part per
     * stream); see {@code Ledger.appendRecorded}. A copy keeps history as recorded: rules are
     * checked when events are first appended.
     *
     * @param asParts the copies as a transaction without expected versions or conditions
     * @param asPartsEncoded its events, encoded with the copies' producer
     * @throws IllegalArgumentException when they do not continue this ledger or are in it already
     */
    AppendResult appendRecorded(Journal journal, List<RecordedEvent> copies, Transaction asParts,
                                EncodedEvents asPartsEncoded) throws IOException {
        this.recorded = copies;
        TransactionResult result;
        try {
            result = append(journal, asParts, null, asPartsEncoded);
        } finally {
            this.recorded = null;
        }
        RecordedEvent first = copies.get(0);
        if (result instanceof TransactionResult.PartRefused refused
            && refused.refusal() instanceof AppendResult.WrongExpectedVersion gap) {
            throw new IllegalArgumentException("event at global_seq " + first.globalSeq() + " (stream '"
                + gap.stream() + "' version " + (gap.expectedVersion() + 1) + ") does not continue this ledger, which"
                + " is at global_seq " + follower.state().nextSeq() + " and stream version " + (gap.actualVersion() + 1));
        }
        if (!(result instanceof TransactionResult.Committed committed) || committed.duplicate()) {
            throw new IllegalArgumentException("event " + first.eventId() + " is already in this ledger");
        }
        return committed.parts().get(0);
    }

    /** The last append's outcome. */
    AppendOutcome outcome() {
        return outcome;
    }

    /** Under the lock: {@code event} as the list {@link #append} takes, without allocating one. */
    List<EventData> single(EventData event) {
        single.event = event;
        return single;
    }

    @Override
    public void run(RecordOutput out) {
        if (!follower.current(out.nextAddress())) {
            follower.followOrFail();
        }
        LedgerState state = follower.state();
        if (transaction != null) {
            runTransaction(state, out);
            return;
        }
        if (retries.answered(state.eventIds(), stream, events, outcome)) {
            countRefusal();
            return;
        }
        if (!AppendDecision.allows(state.streams(), stream, expectedVersion, events, requirements, outcome)) {
            rejected++;
            return;
        }
        write(state, out, clock.nowMicros());
    }

    private void runTransaction(LedgerState state, RecordOutput out) {
        if (recorded != null && !continuesLedger(state)) {
            return;
        }
        transactionResult = retries.answered(state.eventIds(), transaction.parts());
        if (transactionResult == null && recorded == null) {
            transactionResult = AppendDecision.refusal(state.streams(), transaction, partRequirements, versions);
        }
        if (transactionResult != null) {
            if (!(transactionResult instanceof TransactionResult.Committed)) {
                rejected++;
            }
            return;
        }
        writeTransaction(state, out, recorded == null ? clock.nowMicros() : recorded.get(0).recordedAtMicros());
    }

    /** For a copy: whether its events start at this ledger's next {@code global_seq} and continue each stream. */
    private boolean continuesLedger(LedgerState state) {
        List<Transaction.Part> parts = transaction.parts();
        int at = 0;
        for (int p = 0; p < parts.size(); p++) {
            RecordedEvent first = recorded.get(at);
            long actual = state.streams().version(first.stream());
            if ((p == 0 && first.globalSeq() != state.nextSeq()) || first.streamVersion() != actual + 1) {
                transactionResult = new TransactionResult.PartRefused(p,
                    new AppendResult.WrongExpectedVersion(first.stream(), first.streamVersion() - 1, actual));
                return false;
            }
            at += parts.get(p).events().size();
        }
        return true;
    }

    private void writeTransaction(LedgerState state, RecordOutput out, long recordedAtMicros) {
        List<Transaction.Part> parts = transaction.parts();
        for (int p = 0; p < parts.size(); p++) {
            StreamIndex.Head head = state.streams().get(parts.get(p).stream());
            versions[p] = head == null ? 0 : head.version + 1;
            prevAddresses[p] = head == null ? RecordLayout.NO_ADDRESS : head.lastAddress;
        }
        long seq = state.nextSeq();
        int length = parts.size() == 1 // a record of one stream, as an append writes
            ? encoder.encode(encoded, seq, versions[0], prevAddresses[0], state.lastCrc(), recordedAtMicros)
            : encoder.encode(parts, encoded, seq, versions, prevAddresses, state.lastCrc(), recordedAtMicros);
        out.write(encoder.buffer(), 0, length);
        AppendResult.Appended[] appended = new AppendResult.Appended[parts.size()];
        for (int p = 0; p < parts.size(); p++) {
            int count = parts.get(p).events().size();
            appended[p] = new AppendResult.Appended(parts.get(p).stream(), seq, versions[p], count, false);
            seq += count;
        }
        transactionResult = new TransactionResult.Committed(List.of(appended), false);
    }

    private void write(LedgerState state, RecordOutput out, long recordedAtMicros) {
        StreamIndex.Head head = state.streams().get(stream);
        long nextVersion = head == null ? 0 : head.version + 1;
        long prevAddress = head == null ? RecordLayout.NO_ADDRESS : head.lastAddress;
        int length = encoder.encode(encoded, state.nextSeq(), nextVersion, prevAddress, state.lastCrc(),
            recordedAtMicros);
        out.write(encoder.buffer(), 0, length);
        outcome.appended(stream, state.nextSeq(), nextVersion, events.size(), false);
    }

    private void countRefusal() {
        if (!outcome.isAppended()) {
            rejected++;
        }
    }

    LedgerMetrics metrics(long syncs) {
        return new LedgerMetrics(appendCalls, eventsAppended, retries.duplicates(), rejected, syncs, follower.applied());
    }

    void close() {
        retries.close();
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
}
