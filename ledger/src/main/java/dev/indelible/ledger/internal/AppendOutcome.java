package dev.indelible.ledger.internal;

import dev.indelible.ledger.AppendReceipt;
import dev.indelible.ledger.AppendResult;

/**
 * The outcome of the last append a {@link WriteStep} decided: appended (now, or earlier for a
 * retry) at a position, or refused with a result naming why. Reused for every append, so an
 * accepted one allocates nothing until a caller asks for a value.
 *
 * <p>Not thread-safe: written and read under the ledger's lock.
 */
final class AppendOutcome {
    private String stream;
    /** The refusal, or null when appended as the fields below say. */
    private AppendResult refusal;
    private long firstSeq;
    private long firstVersion;
    private int count;
    private boolean duplicate;

    /** The events of an append to {@code appendStream} are in the journal: written now, or earlier when {@code retry}. */
    void appended(String appendStream, long seq, long version, int events, boolean retry) {
        stream = appendStream;
        refusal = null;
        firstSeq = seq;
        firstVersion = version;
        count = events;
        duplicate = retry;
    }

    void refused(String appendStream, AppendResult why) {
        stream = appendStream;
        refusal = why;
    }

    /** Whether the events are in the journal, written now or earlier. */
    boolean isAppended() {
        return refusal == null;
    }

    /** Whether they were in it already: the append was a retry. */
    boolean isDuplicate() {
        return refusal == null && duplicate;
    }

    /** The refusal, or null when appended. */
    AppendResult refusal() {
        return refusal;
    }

    long firstSeq() {
        return firstSeq;
    }

    long firstVersion() {
        return firstVersion;
    }

    /** The outcome as a new value. */
    AppendResult result() {
        return refusal != null ? refusal : new AppendResult.Appended(stream, firstSeq, firstVersion, count, duplicate);
    }

    /** The outcome into the caller's receipt, allocating nothing. */
    void fill(AppendReceipt receipt) {
        if (refusal != null) {
            receipt.fill(refusal);
        } else {
            receipt.fillAppended(stream, firstSeq, firstVersion, count, duplicate);
        }
    }
}
