package dev.indelible.ledger.internal;

import dev.indelible.ledger.CorruptJournalException;

/**
 * The damaged record is the journal's last: nothing valid follows it, as a crash mid-write leaves
 * it. The embedded ledger cuts such a tail at open; other journals report it as damage.
 */
public final class TornTailException extends CorruptJournalException {
    private static final long serialVersionUID = 1L;

    private final long firstCutAddress;

    TornTailException(long globalSeq, String location, String problem, long firstCutAddress) {
        super(globalSeq, location, "incomplete record at the end of the journal: " + problem);
        this.firstCutAddress = firstCutAddress;
    }

    /** The journal address of the first record to cut. */
    public long firstCutAddress() {
        return firstCutAddress;
    }
}
