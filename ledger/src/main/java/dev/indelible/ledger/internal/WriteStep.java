package dev.indelible.ledger.internal;

import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.EventRule;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.LedgerMetrics;
import dev.indelible.ledger.RecordedEvent;
import dev.indelible.ledger.spi.Journal;
import dev.indelible.ledger.spi.RecordOutput;
import dev.indelible.ledger.spi.WriteTransaction;
import java.io.IOException;
import java.time.Instant;
import java.util.AbstractList;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * One append under the journal's write lock, in four steps each done by its own part: follow the
 * journal to its head ({@link Follower}), answer a retry ({@link RetryLookup}), decide on the
 * versions and rules ({@link AppendDecision}), then encode and write the record
 * ({@link RecordEncoder}) and index it. Reused for every append, so the path allocates nothing
 * of its own; the outcome stays readable in {@link #outcome()} until the next append.
 *
 * <p>Not thread-safe: used under the ledger's lock.
 */
final class WriteStep implements WriteTransaction {
    private final Follower follower;
    private final RetryLookup retries;
    private final RecordEncoder encoder = new RecordEncoder();
    private final SingleEvent single = new SingleEvent();
    private final AppendOutcome outcome = new AppendOutcome();
    private final LedgerConfig config;

    private String stream;
    private long expectedVersion;
    private List<EventData> events;
    /** What each event's rule requires (null entries: no rule), or null when none has one. */
    private EventRule.Requirement[] requirements;
    /** Events another ledger recorded, copied at their positions; null for a new append. */
    private List<RecordedEvent> recorded;

    private long appendCalls;
    private long eventsAppended;
    private long rejected;

    WriteStep(Follower follower, RetryLookup retries, LedgerConfig config) {
        this.follower = follower;
        this.retries = retries;
        this.config = config;
    }

    /**
     * Decides and writes one append; its outcome stays readable through {@link #outcome()} until
     * the next append. Allocates nothing when appended.
     */
    void append(Journal journal, String appendStream, long expected, List<EventData> appendEvents,
                EventRule.Requirement[] appendRequirements) throws IOException {
        this.stream = appendStream;
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
            single.event = null;
        }
    }

    /**
     * Writes events another ledger recorded, at the same positions; see {@code Ledger.appendRecorded}.
     * A copy keeps history as recorded: rules are checked when events are first appended.
     *
     * @throws IllegalArgumentException when they do not continue this ledger or are in it already
     */
    AppendResult appendRecorded(Journal journal, List<RecordedEvent> copies, List<EventData> asData) throws IOException {
        this.recorded = copies;
        try {
            append(journal, copies.get(0).stream(), ExpectedVersion.ANY, asData, null);
        } finally {
            this.recorded = null;
        }
        RecordedEvent first = copies.get(0);
        if (outcome.refusal() instanceof AppendResult.WrongExpectedVersion gap) {
            throw new IllegalArgumentException("event at global_seq " + first.globalSeq() + " (stream '"
                + first.stream() + "' version " + first.streamVersion() + ") does not continue this ledger, which is"
                + " at global_seq " + follower.state().nextSeq() + " and stream version " + (gap.actualVersion() + 1));
        }
        if (outcome.isDuplicate() || outcome.refusal() instanceof AppendResult.EventIdConflict) {
            throw new IllegalArgumentException("event " + first.eventId() + " is already in this ledger");
        }
        return outcome.result();
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
        follower.followOrFail();
        LedgerState state = follower.state();
        if (recorded != null) {
            writeRecorded(state, out);
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
        write(state, out, nowMicros(), config.producerId());
    }

    private void writeRecorded(LedgerState state, RecordOutput out) {
        RecordedEvent first = recorded.get(0);
        long nextVersion = state.streams().version(stream) + 1;
        if (first.globalSeq() != state.nextSeq() || first.streamVersion() != nextVersion) {
            outcome.refused(stream, new AppendResult.WrongExpectedVersion(stream, first.streamVersion() - 1, nextVersion - 1));
            return;
        }
        if (retries.answered(state.eventIds(), stream, events, outcome)) {
            countRefusal();
            return;
        }
        write(state, out, first.recordedAtMicros(), first.producerId());
    }

    private void write(LedgerState state, RecordOutput out, long recordedAtMicros, String producerId) {
        StreamIndex.Head head = state.streams().get(stream);
        long nextVersion = head == null ? 0 : head.version + 1;
        long prevAddress = head == null ? RecordLayout.NO_ADDRESS : head.lastAddress;
        int length = encoder.encode(stream, events, state.nextSeq(), nextVersion, prevAddress, state.lastCrc(),
            recordedAtMicros, producerId);
        out.write(encoder.buffer(), 0, length);
        outcome.appended(stream, state.nextSeq(), nextVersion, events.size(), false);
    }

    private void countRefusal() {
        if (!outcome.isAppended()) {
            rejected++;
        }
    }

    private long nowMicros() {
        Instant now = config.clock().instant();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
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
