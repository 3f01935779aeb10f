package dev.indelible.projections.internal;

import dev.indelible.ledger.EventReader;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.RecordedEvent;
import dev.indelible.projections.Projection;
import dev.indelible.projections.ProjectionException;
import dev.indelible.projections.RebuildListener;
import org.rocksdb.RocksDBException;

import java.util.Set;

/**
 * Reads the journal from a version's checkpoint and applies it: each {@link #step} applies up to a
 * batch of events and commits them with the new checkpoint in one write.
 *
 * <p>Not thread-safe: owned by one runner or rebuild thread. After a failed step it must be discarded
 * (its batch and counters are ahead of what was committed).
 */
final class Applier implements AutoCloseable {

    private final Projection projection;
    private final Set<String> types;
    private final VersionStore store;
    private final BatchWriter batch;
    private final EventReader reader;
    private long nextSeq;
    private long applied;
    private long read;

    Applier(Ledger ledger, Projection projection, VersionStore store) {
        this.projection = projection;
        this.types = Set.copyOf(projection.eventTypes());
        this.store = store;
        this.batch = store.newBatch();
        this.nextSeq = store.nextSeq();
        this.applied = store.applied();
        this.reader = ledger.openReader(nextSeq);
    }

    /** Applies up to {@code limit} events; returns how many were read (0: at the head for now). */
    int step(int limit) throws RocksDBException {
        int n = reader.poll(this::onEvent, limit);
        if (n > 0) {
            store.commit(batch, nextSeq, applied);
            read += n;
        }
        return n;
    }

    /** Applies everything before {@code target}; returns once the checkpoint reaches it. */
    void catchUpTo(long target, int batchEvents) throws RocksDBException {
        catchUpTo(target, batchEvents, (done, of) -> { });
    }

    /** As {@link #catchUpTo(long, int)}, telling {@code progress} the position after every batch. */
    void catchUpTo(long target, int batchEvents, RebuildListener progress) throws RocksDBException {
        while (nextSeq < target) {
            if (step((int) Math.min(batchEvents, target - nextSeq)) == 0) {
                Thread.onSpinWait();
            } else {
                progress.onProgress(nextSeq, target);
            }
        }
    }

    private void onEvent(RecordedEvent event) {
        if (event.globalSeq() != nextSeq) {
            throw new ProjectionException("projection " + projection.name() + " expected global_seq " + nextSeq
                    + " but the journal gave " + event.globalSeq() + ": the journal has a gap, run verify");
        }
        if (types.contains(event.type())) {
            projection.apply(event, batch);
            applied++;
        }
        nextSeq++;
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
        reader.close();
        batch.close();
    }
}
