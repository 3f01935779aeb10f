package dev.indelible.projections.internal;

import dev.indelible.ledger.EventHandler;
import dev.indelible.ledger.EventReader;
import dev.indelible.ledger.RecordedEvent;
import dev.indelible.projections.Projection;
import dev.indelible.projections.ProjectionException;
import org.rocksdb.RocksDBException;

import java.util.Set;

/**
 * Applies the journal to one version from its checkpoint: each {@link #step} reads up to a batch of
 * events from the partitions in turn and commits them with the new checkpoint (every partition's next
 * {@code global_seq}) in one write. A rebuild of several projections reads the journal once and hands
 * each event to every applier ({@link #accept}, {@link #commit}).
 *
 * <p>Partitions have no order between them: each is applied in its own order, and which partition's
 * events come first depends on timing. A projection over several partitions must not depend on it.
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
    private final EventReader[] readers;
    private final EventHandler[] handlers;
    private final long[] nextSeqs;
    private long applied;
    private long read;
    private long position; // the sum of nextSeqs
    private long committedPosition;
    private long committedApplied;
    private long committedAt = System.nanoTime();
    private int firstPartition; // where the next step starts: each partition goes first in turn

    /** An applier reading every partition itself, each from the version's checkpoint. */
    Applier(Partitions partitions, Projection projection, VersionStore store) {
        this(projection, store, partitions.count(), partitions);
    }

    /** An applier over {@code partitions} partitions fed by the caller through {@link #accept} and {@link #commit}. */
    Applier(Projection projection, VersionStore store, int partitions) {
        this(projection, store, partitions, null);
    }

    private Applier(Projection projection, VersionStore store, int partitions, Partitions source) {
        this.projection = projection;
        this.types = Set.copyOf(projection.eventTypes());
        this.store = store;
        this.batch = store.newBatch();
        this.nextSeqs = store.nextSeqs(partitions);
        this.applied = store.applied();
        this.position = Partitions.sum(nextSeqs);
        this.committedPosition = position;
        this.committedApplied = applied;
        this.readers = source == null ? null : source.openReaders(nextSeqs);
        this.handlers = new EventHandler[partitions];
        for (int p = 0; p < partitions; p++) {
            int partition = p;
            handlers[p] = event -> accept(partition, event);
        }
    }

    /**
     * Applies up to {@code limit} events, taken from the partitions in turn; returns how many were
     * read (0: every partition is at its head for now). Events of other types change no state, so
     * a step that applied none commits its checkpoint only every {@link #IDLE_COMMIT_EVENTS} events
     * or {@link #IDLE_COMMIT_NANOS}: a projection that is not interested in the traffic does not
     * write to RocksDB for every event. Its state is the same either way; after a crash it re-reads
     * those events and skips them again. Idle at the head, it commits the skipped tail within
     * {@link #IDLE_COMMIT_NANOS}, so the stored checkpoint (what {@code indelible status} reads)
     * shows no lag for events it does not take.
     */
    int step(int limit) throws RocksDBException {
        int n = 0;
        int partitions = readers.length;
        for (int i = 0; i < partitions && n < limit; i++) {
            int p = (firstPartition + i) % partitions;
            n += readers[p].poll(handlers[p], partitions == 1 ? limit : Math.max(1, (limit - n) / (partitions - i)));
        }
        firstPartition = (firstPartition + 1) % partitions;
        if (position != committedPosition && (applied != committedApplied
                || position - committedPosition >= IDLE_COMMIT_EVENTS || System.nanoTime() - committedAt >= IDLE_COMMIT_NANOS)) {
            commit();
        }
        return n;
    }

    /** Commits what was accepted since the last commit, with the checkpoint after it. */
    void commit() throws RocksDBException {
        store.commit(batch, nextSeqs, applied);
        committedPosition = position;
        committedApplied = applied;
        committedAt = System.nanoTime();
    }

    /** Applies everything before {@code targets} (one per partition); returns once the checkpoint reaches them. */
    void catchUpTo(long[] targets, int batchEvents) throws RocksDBException {
        while (!reached(targets)) {
            if (step(batchEvents) == 0) {
                Thread.onSpinWait();
            }
        }
    }

    /** Whether every partition's checkpoint is at or past its target. */
    boolean reached(long[] targets) {
        for (int p = 0; p < nextSeqs.length; p++) {
            if (nextSeqs[p] < targets[p]) {
                return false;
            }
        }
        return true;
    }

    /** Applies the event at {@code partition}'s checkpoint (if it is of the projection's types) to the batch. */
    void accept(int partition, RecordedEvent event) {
        if (event.globalSeq() != nextSeqs[partition]) {
            throw new ProjectionException("projection " + projection.name() + " expected global_seq " + nextSeqs[partition]
                    + (nextSeqs.length == 1 ? "" : " of partition " + partition) + " but the journal gave "
                    + event.globalSeq() + ": the journal has a gap, run verify");
        }
        if (types.contains(event.type())) {
            projection.apply(event, batch);
            applied++;
        }
        nextSeqs[partition]++;
        position++;
        read++;
    }

    /** Each partition's next {@code global_seq}: a copy. */
    long[] nextSeqs() {
        return nextSeqs.clone();
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
        if (readers != null) {
            for (EventReader reader : readers) {
                reader.close();
            }
        }
        batch.close();
    }
}
