package dev.indelible.projections;

import dev.indelible.ledger.RecordedEvent;

import java.util.Set;

/**
 * A read model computed from the journal: a pure function of the event sequence.
 *
 * <p>The engine calls {@link #apply} on one thread, in {@code global_seq} order, for each event whose
 * type is in {@link #eventTypes()}. The state written through the batch and the engine's checkpoint
 * are committed in one RocksDB write, so after a crash no event is applied twice or skipped.
 *
 * <p>{@code apply} must be deterministic: no clocks, no randomness, no iteration over hash-ordered
 * collections. Two replays of the same journal must give the same digest. Implementations need not
 * be thread-safe.
 */
public interface Projection {

    /** A stable name, also the directory under {@code <data>/projections/}: lower case, digits, '-'. */
    String name();

    /**
     * The version of the code that computes the state. Raise it when {@code apply} changes: the engine
     * then rebuilds the projection from the start into a new version directory and swaps it in.
     */
    int version();

    /** The event types this projection consumes; the others never reach {@link #apply}. */
    Set<String> eventTypes();

    /** Applies one event to the state through {@code batch}. Throwing stops the projection. */
    void apply(RecordedEvent event, ProjectionBatch batch);
}
