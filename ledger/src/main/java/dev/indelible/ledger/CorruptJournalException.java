package dev.indelible.ledger;

/**
 * A record in the journal failed its checks while being read; the damaged event was not returned.
 * Run {@link Ledger#verify()} for the full report.
 *
 * <p>Immutable and thread-safe.
 */
public class CorruptJournalException extends LedgerException {
    private static final long serialVersionUID = 1L;

    private final long globalSeq;
    private final String location;

    public CorruptJournalException(long globalSeq, String location, String problem) {
        super("journal damaged at global_seq " + globalSeq + " (" + location + "): " + problem);
        this.globalSeq = globalSeq;
        this.location = location;
    }

    /** The {@code global_seq} the damaged record holds, or should hold. */
    public long globalSeq() {
        return globalSeq;
    }

    /** File and byte offset of the damaged record. */
    public String location() {
        return location;
    }
}
