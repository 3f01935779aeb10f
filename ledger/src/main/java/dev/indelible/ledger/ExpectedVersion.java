package dev.indelible.ledger;

/**
 * The version a stream must be at for an append to go through: optimistic concurrency.
 *
 * <p>Expected versions are plain {@code long}s so the hot path allocates nothing: a value
 * {@code >= 0} is an exact version (the stream's last event has that {@code stream_version}),
 * and the negative constants below are the special cases. Any other negative value is misuse.
 */
public final class ExpectedVersion {
    /** Append whatever the stream's state. */
    public static final long ANY = -2;
    /** The stream must not exist yet: how uniqueness (one account per email) is enforced. */
    public static final long NO_STREAM = -1;
    /** The stream must exist: how references (a prayer's author) are checked. */
    public static final long STREAM_EXISTS = -4;

    private ExpectedVersion() {
    }

    /** Throws {@link IllegalArgumentException} naming the field when {@code value} is not one of the forms above. */
    public static long check(long value) {
        if (value >= 0 || value == ANY || value == NO_STREAM || value == STREAM_EXISTS) {
            return value;
        }
        throw new InvalidEventException("expectedVersion",
            "must be ANY (-2), NO_STREAM (-1), STREAM_EXISTS (-4) or a version >= 0, was " + value);
    }

    /** A human name for logs and errors: {@code "ANY"}, {@code "NO_STREAM"}, {@code "STREAM_EXISTS"} or the number. */
    public static String describe(long value) {
        if (value == ANY) {
            return "ANY";
        }
        if (value == NO_STREAM) {
            return "NO_STREAM";
        }
        if (value == STREAM_EXISTS) {
            return "STREAM_EXISTS";
        }
        return Long.toString(value);
    }

    /** Whether a stream at {@code actual} ({@link #NO_STREAM} when it has no events) meets {@code expected}. */
    public static boolean matches(long expected, long actual) {
        if (expected == ANY) {
            return true;
        }
        return expected == STREAM_EXISTS ? actual >= 0 : expected == actual;
    }

    /** What {@code expected} asks of a stream, as words: "must not exist", "must exist", "must be at version 3". */
    public static String requirement(long expected) {
        if (expected == NO_STREAM) {
            return "must not exist";
        }
        if (expected == STREAM_EXISTS) {
            return "must exist";
        }
        return expected == ANY ? "may be at any version" : "must be at version " + expected;
    }

    /** A stream's {@code actual} version as words: "does not exist" or "is at version 3". */
    public static String state(long actual) {
        return actual < 0 ? "does not exist" : "is at version " + actual;
    }
}
