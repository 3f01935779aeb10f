package dev.indelible.projections;

/**
 * A consistent, read-only snapshot of one projection version: every read through it sees the state
 * after the same event.
 *
 * <p>Valid only inside the {@link ProjectionEngine#read} call that handed it over. Not thread-safe.
 */
public interface ProjectionState {

    /** The value under {@code key}, or {@code null}. */
    byte[] get(byte[] key);

    /** The counter under {@code key}, 0 when absent. */
    default long getLong(byte[] key) {
        return Keys.decodeLong(get(key));
    }

    /**
     * Visits the entries whose key starts with {@code prefix}, in key order, from {@code from}
     * (inclusive; {@code null} for the first) until the visitor returns {@code false}.
     */
    void scan(byte[] prefix, byte[] from, EntryVisitor visitor);

    /** Visits every entry under {@code prefix} in key order. */
    default void scan(byte[] prefix, EntryVisitor visitor) {
        scan(prefix, null, visitor);
    }

    /**
     * The {@code global_seq} of the next event this state would apply: it reflects every event before
     * it. Over a partitioned journal, partition 0's: see {@link #position(int)}.
     */
    long position();

    /** The next {@code global_seq} of {@code partition} this state would apply (0 for a partition it never read). */
    long position(int partition);

    /** The version directory the snapshot reads, e.g. {@code v1-000002}. */
    String versionName();

    /** Receives one entry; returns {@code false} to stop the scan. */
    @FunctionalInterface
    interface EntryVisitor {
        boolean visit(byte[] key, byte[] value);
    }
}
