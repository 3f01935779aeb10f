package dev.indelible.ledger;

import java.util.ArrayList;
import java.util.List;

/**
 * A pull cursor over every partition of a journal: each partition's events in its order, the
 * partitions taken in turn one event at a time, and no order across them. {@link #position()} is
 * where to resume, one {@code global_seq} per partition; with one partition it is exactly that
 * ledger's {@link EventReader}.
 *
 * <p>Not thread-safe: one reader per thread.
 */
public final class PartitionedReader implements AutoCloseable {
    /** Receives each event with the partition that holds it. */
    @FunctionalInterface
    public interface Handler {
        void onEvent(int partition, RecordedEvent event);
    }

    private final List<EventReader> readers;
    /** Each partition's global_seq past the last event handed: {@link #past()}. */
    private final long[] past;
    private int turn;

    private PartitionedReader(List<EventReader> readers, PartitionPositions from) {
        this.readers = readers;
        this.past = new long[readers.size()];
        for (int p = 0; p < past.length; p++) {
            past[p] = from.next(p);
        }
    }

    /** Opens one reader per ledger, partition p's at {@code from.next(p)}. */
    static PartitionedReader open(List<Ledger> partitions, PartitionPositions from) {
        from.requirePartitions(partitions.size());
        List<EventReader> readers = new ArrayList<>(partitions.size());
        try {
            for (int p = 0; p < partitions.size(); p++) {
                readers.add(partitions.get(p).openReader(from.next(p)));
            }
        } catch (RuntimeException e) {
            readers.forEach(EventReader::close);
            throw e;
        }
        return new PartitionedReader(readers, from);
    }

    /**
     * Hands up to {@code limit} events to {@code handler}, a partition at a time in turn, and returns
     * how many: 0 means every partition is at its head for now.
     *
     * @throws CorruptJournalException when a partition's next record fails its checksum
     */
    public int poll(Handler handler, int limit) {
        if (readers.size() == 1) { // one partition: its reader's own batches
            return readers.get(0).poll(e -> hand(handler, 0, e), limit);
        }
        int handed = 0;
        int idle = 0; // partitions found at their head since the last event
        while (handed < limit && idle < readers.size()) {
            int p = turn;
            turn = (turn + 1) % readers.size();
            if (readers.get(p).poll(e -> hand(handler, p, e), 1) == 1) {
                handed++;
                idle = 0;
            } else {
                idle++;
            }
        }
        return handed;
    }

    private void hand(Handler handler, int partition, RecordedEvent e) {
        past[partition] = e.globalSeq() + 1;
        handler.onEvent(partition, e);
    }

    /**
     * From a {@link Handler}: the positions past the event being handed, where to read on to have
     * it and every event handed before it (what a reader gives back to resume).
     */
    public PartitionPositions past() {
        return PartitionPositions.of(past);
    }

    /** The {@code global_seq} each partition reads next. */
    public PartitionPositions position() {
        long[] next = new long[readers.size()];
        for (int p = 0; p < next.length; p++) {
            next[p] = readers.get(p).position();
        }
        return PartitionPositions.of(next);
    }

    /** The number of partitions. */
    public int partitions() {
        return readers.size();
    }

    @Override
    public void close() {
        readers.forEach(EventReader::close);
    }
}
