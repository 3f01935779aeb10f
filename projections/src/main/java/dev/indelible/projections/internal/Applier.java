package dev.indelible.projections.internal;

import dev.indelible.ledger.EventReader;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.RecordedEvent;
import dev.indelible.projections.Projection;
import dev.indelible.projections.ProjectionException;
import org.rocksdb.RocksDBException;

import java.util.Set;

/**
 * Applies the journal to one version from its checkpoint: each {@link #step} reads up to a batch of
 * events and commits them with the new checkpoint in one write. A rebuild of several projections
 * reads the journal once and hands each event to every applier ({@link #accept}, {@link #commit}).
 *
 * <p>Not thread-safe: owned by one runner or rebuild thread. After a failed step it must be discarded
 * (its batch and counters are ahead of what was committed).
 */
final class Applier implements AutoCloseable {

    static final long IDLE_COMMIT_EVENTS = 100_000;
    static final long IDLE_COMMIT_NANOS = 1_000_000_000L;

    private final Projection projection;
    private final Set<String> types;
    private final VersionStore store;
    private final BatchWriter batch;
    private final EventReader reader;
    private long nextSeq;
    private long applied;
    private long read;
    private long committedSeq;
    private long committedApplied;
    private long committedAt = System.nanoTime();

    /** An applier reading the journal itself, from the version's checkpoint. */
    Applier(Ledger ledger, Projection projection, VersionStore store) {
        this(projection, store, ledger);
    }

    /** An applier fed by the caller through {@link #accept} and {@link #commit}. */
    Applier(Projection projection, VersionStore store) {
        this(projection, store, null);
    }

    private Applier(Projection projection, VersionStore store, Ledger ledger) {
        this.projection = projection;
        this.types = Set.copyOf(projection.eventTypes());
        this.store = store;
        this.batch = store.newBatch();
        this.nextSeq = store.nextSeq();
        this.applied = store.applied();
        this.committedSeq = nextSeq;
        this.committedApplied = applied;
        this.reader = ledger == null ? null : ledger.openReader(nextSeq);
    }

    /**
     * Applies up to {@code limit} events; returns how many were read (0: at the head for now).
     * Events of other types change no state, so a step that applied none commits its checkpoint
     * only every {@link #IDLE_COMMIT_EVENTS} events or {@link #IDLE_COMMIT_NANOS}: a projection
     * that is not interested in the traffic does not write to RocksDB for every event. Its state
     * is the same either way; after a crash it re-reads those events and skips them again. Idle at
     * the head, it commits the skipped tail within {@link #IDLE_COMMIT_NANOS}, so the stored
     * checkpoint (what {@code indelible status} reads) shows no lag for events it does not take.
     */
    int step(int limit) throws RocksDBException {
        int n = reader.poll(this::accept, limit);
        if (nextSeq != committedSeq && (applied != committedApplied || nextSeq - committedSeq >= IDLE_COMMIT_EVENTS
                || System.nanoTime() - committedAt >= IDLE_COMMIT_NANOS)) {
            commit();
        }
        return n;
    }

    /** Commits what was accepted since the last commit, with the checkpoint after it. */
    void commit() throws RocksDBException {
        store.commit(batch, nextSeq, applied);
        committedSeq = nextSeq;
        committedApplied = applied;
        committedAt = System.nanoTime();
    }

    /** Applies everything before {@code target}; returns once the checkpoint reaches it. */
    void catchUpTo(long target, int batchEvents) throws RocksDBException {
        while (nextSeq < target) {
            if (step((int) Math.min(batchEvents, target - nextSeq)) == 0) {
                Thread.onSpinWait();
            }
        }
    }

    /** Applies the event at the checkpoint (if it is of the projection's types) to the batch. */
    void accept(RecordedEvent event) {
        if (event.globalSeq() != nextSeq) {
            throw new ProjectionException("projection " + projection.name() + " expected global_seq " + nextSeq
                    + " but the journal gave " + event.globalSeq() + ": the journal has a gap, run verify");
        }
        if (types.contains(event.type())) {
            projection.apply(event, batch);
            applied++;
        }
        nextSeq++;
        read++;
    }

    long nextSeq() {
        return nextSeq;
    }

    long applied() {
        return applied;
    }

    /** Events read by this applier since it was created. */
    long read() {
        return read;
    }

    VersionStore store() {
        return store;
    }

    @Override
    public void close() {
        if (reader != null) {
            reader.close();
        }
        batch.close();
    }
}
