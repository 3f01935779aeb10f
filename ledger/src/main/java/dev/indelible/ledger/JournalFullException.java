package dev.indelible.ledger;

/**
 * The journal's file system has no room for the append under the configured free-space reserve;
 * nothing was written and the ledger stays open. Free space, and the same append succeeds.
 *
 * <p>Immutable and thread-safe.
 */
public class JournalFullException extends LedgerException {
    private static final long serialVersionUID = 1L;

    private final long freeBytes;

    public JournalFullException(String message, long freeBytes) {
        super(message);
        this.freeBytes = freeBytes;
    }

    /** Bytes free on the file system when the append was refused. */
    public long freeBytes() {
        return freeBytes;
    }
}
