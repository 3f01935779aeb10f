package dev.indelible.ledger;

import java.util.Arrays;

/**
 * Where a reader of every partition stands: the {@code global_seq} it reads next in each
 * partition. Store it to resume; {@link #parse} reads back what {@link #toString} wrote
 * ({@code 12,0,7}: partition 0 at 12, partition 1 at 0, partition 2 at 7).
 *
 * <p>Immutable and thread-safe.
 */
public final class PartitionPositions {
    private final long[] next;

    private PartitionPositions(long[] next) {
        this.next = next;
    }

    /** The start of every one of {@code partitions} partitions. */
    public static PartitionPositions start(int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions: must be >= 1, was " + partitions);
        }
        return new PartitionPositions(new long[partitions]);
    }

    /** The positions {@code next[p]}, one per partition. */
    public static PartitionPositions of(long... next) {
        if (next.length < 1) {
            throw new IllegalArgumentException("positions: one per partition, was none");
        }
        for (int p = 0; p < next.length; p++) {
            if (next[p] < 0) {
                throw new IllegalArgumentException("positions[" + p + "]: must be >= 0, was " + next[p]);
            }
        }
        return new PartitionPositions(next.clone());
    }

    /** Reads {@code N,N,...} as written by {@link #toString}. */
    public static PartitionPositions parse(String text) {
        String[] parts = text.split(",", -1);
        long[] next = new long[parts.length];
        for (int p = 0; p < parts.length; p++) {
            try {
                next[p] = Long.parseLong(parts[p].strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("positions[" + p + "]: not a number: '" + parts[p] + "'", e);
            }
        }
        return of(next);
    }

    /**
     * Reads positions over {@code partitions} partitions as a reader gives them back: one number per
     * partition, {@code N,N,...}, or {@code 0} for the start of every partition.
     *
     * @throws IllegalArgumentException saying why (the caller names its field)
     */
    public static PartitionPositions parse(String text, int partitions) {
        String given = text.strip();
        if (given.equals("0")) {
            return start(partitions);
        }
        if (given.split(",", -1).length != partitions) {
            throw new IllegalArgumentException("must be one global_seq per partition, " + partitions
                + ", separated by commas, or 0 for the start; was '" + text + "'");
        }
        try {
            return parse(given);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("must be " + partitions + " numbers >= 0 separated by commas, was '" + text
                + "' (" + e.getMessage() + ")", e);
        }
    }

    public int partitions() {
        return next.length;
    }

    /**
     * These positions, for a reader of {@code partitions} partitions.
     *
     * @throws IllegalArgumentException naming {@code positions} when they are not one per partition
     */
    public PartitionPositions requirePartitions(int partitions) {
        if (next.length != partitions) {
            throw new IllegalArgumentException("positions: one per partition, " + partitions + ", was " + next.length);
        }
        return this;
    }

    /** The {@code global_seq} read next in {@code partition}. */
    public long next(int partition) {
        return next[partition];
    }

    /** These positions moved past every event of {@code events}. */
    public PartitionPositions after(Iterable<PartitionedEvent> events) {
        long[] moved = next.clone();
        for (PartitionedEvent e : events) {
            moved[e.partition()] = Math.max(moved[e.partition()], e.event().globalSeq() + 1);
        }
        return new PartitionPositions(moved);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PartitionPositions p && Arrays.equals(p.next, next);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(next);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        for (long n : next) {
            s.append(s.isEmpty() ? "" : ",").append(n);
        }
        return s.toString();
    }
}
