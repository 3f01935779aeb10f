package dev.indelible.projections;

/**
 * The writes of the events being applied, committed atomically with the engine's checkpoint.
 *
 * <p>Reads see the committed state plus the writes already made in this batch. Valid only inside
 * {@link Projection#apply}; not thread-safe.
 */
public interface ProjectionBatch {

    /** The value under {@code key}, or {@code null}. */
    byte[] get(byte[] key);

    void put(byte[] key, byte[] value);

    void delete(byte[] key);

    /** Adds {@code delta} to the 8-byte big-endian counter under {@code key} (absent means 0); returns the new value. */
    default long add(byte[] key, long delta) {
        long value = Keys.decodeLong(get(key)) + delta;
        put(key, Keys.encodeLong(value));
        return value;
    }
}
