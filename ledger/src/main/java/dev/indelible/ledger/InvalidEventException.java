package dev.indelible.ledger;

/**
 * Bad input from the caller: names the field and the reason. Nothing was appended.
 *
 * <p>Immutable and thread-safe.
 */
public class InvalidEventException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String field;
    private final String reason;

    public InvalidEventException(String field, String reason) {
        super(field + ": " + reason);
        this.field = field;
        this.reason = reason;
    }

    /** The offending field, e.g. {@code "stream"} or {@code "events[2].payload"}. */
    public String field() {
        return field;
    }

    /** Why it was refused, e.g. {@code "must not be empty"}. */
    public String reason() {
        return reason;
    }
}
