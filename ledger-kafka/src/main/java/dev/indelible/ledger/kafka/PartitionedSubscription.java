package dev.indelible.ledger.kafka;

import dev.indelible.ledger.PartitionPositions;
import dev.indelible.ledger.Subscription;
import java.util.List;

/**
 * A subscription to every partition of a journal: one {@link Subscription} per partition, each
 * delivering its partition's events in order on its own thread. There is no order across
 * partitions. Store {@link #positions()} to resume each partition where it stopped.
 *
 * <p>Thread-safe.
 */
public final class PartitionedSubscription implements AutoCloseable {
    private final List<Subscription> partitions;

    PartitionedSubscription(List<Subscription> partitions) {
        this.partitions = List.copyOf(partitions);
    }

    /** The {@code global_seq} each partition delivers next. */
    public PartitionPositions positions() {
        long[] next = new long[partitions.size()];
        for (int p = 0; p < next.length; p++) {
            next[p] = partitions.get(p).position();
        }
        return PartitionPositions.of(next);
    }

    /** Stops every partition's delivery and waits for their threads to end. */
    @Override
    public void close() {
        partitions.forEach(Subscription::close);
    }
}
