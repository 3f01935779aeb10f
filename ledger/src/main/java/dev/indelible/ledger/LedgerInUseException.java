package dev.indelible.ledger;

/**
 * An operation that needs the ledger to itself ({@link Ledger#appendAllOrNothing}) found it open by
 * another ledger, or appended to by another process meanwhile; nothing was written. Run it again
 * once the others are stopped.
 *
 * <p>Immutable and thread-safe.
 */
public class LedgerInUseException extends LedgerException {
    private static final long serialVersionUID = 1L;

    public LedgerInUseException(String message) {
        super(message);
    }
}
