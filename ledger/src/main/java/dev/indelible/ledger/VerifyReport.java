package dev.indelible.ledger;

import java.util.List;

/**
 * The result of walking the whole journal: every record's checksum, the chain between records,
 * dense {@code global_seq} and stream versions, unique event ids.
 *
 * <p>Immutable and thread-safe.
 *
 * @param eventsChecked events whose checks passed
 * @param problems      empty when the journal is intact; otherwise the first problem found, then
 *                      any further ones the walk could still locate
 */
public record VerifyReport(long eventsChecked, long records, List<Problem> problems) {

    public boolean ok() {
        return problems.isEmpty();
    }

    /** What kind of damage a problem is. */
    public enum Kind {
        /** Bytes changed inside a record: its checksum does not match. */
        CRC_MISMATCH,
        /** A {@code global_seq} is missing: the next record holds a later one. */
        GAP,
        /** A {@code global_seq} or event id appears twice. */
        DUPLICATE,
        /** A stream version is not the one after the stream's previous event. */
        STREAM_VERSION,
        /** A record cannot be parsed: its length or layout is impossible. */
        MALFORMED,
        /** An incomplete record at the end of the journal, left by a crash mid-write. */
        TORN_TAIL
    }

    /**
     * One finding.
     *
     * @param globalSeq the {@code global_seq} the damaged record holds, or should hold
     * @param location  the journal file and byte offset
     */
    public record Problem(Kind kind, long globalSeq, String location, String detail) {
        @Override
        public String toString() {
            return kind + " at global_seq " + globalSeq + " (" + location + "): " + detail;
        }
    }
}
