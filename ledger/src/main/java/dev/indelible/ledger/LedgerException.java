package dev.indelible.ledger;

/**
 * A fatal problem the caller cannot fix by changing its input: I/O failure, a damaged journal,
 * a ledger that stopped accepting after a failed sync.
 *
 * <p>Immutable and thread-safe.
 */
public class LedgerException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public LedgerException(String message) {
        super(message);
    }

    public LedgerException(String message, Throwable cause) {
        super(message, cause);
    }
}
