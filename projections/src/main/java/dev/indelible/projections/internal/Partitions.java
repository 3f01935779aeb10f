package dev.indelible.projections.internal;

import dev.indelible.ledger.EventReader;
import dev.indelible.ledger.Ledger;

import java.util.ArrayList;
import java.util.List;

/**
 * The journal a projection follows: one ledger per partition, partition p at index p, each with its
 * own dense {@code global_seq}. A single ledger is the case P = 1. Positions over it are a
 * {@code long[]} holding each partition's next {@code global_seq}.
 *
 * <p>Immutable and thread-safe (the ledgers are).
 */
final class Partitions {

    private final List<Ledger> ledgers;

    private Partitions(List<Ledger> ledgers) {
        this.ledgers = ledgers;
    }

    static Partitions of(List<Ledger> ledgers) {
        if (ledgers == null || ledgers.isEmpty()) {
            throw new IllegalArgumentException("partitions must hold at least one ledger: " + ledgers);
        }
        for (int p = 0; p < ledgers.size(); p++) {
            if (ledgers.get(p) == null) {
                throw new IllegalArgumentException("partitions[" + p + "] is null");
            }
        }
        return new Partitions(List.copyOf(ledgers));
    }

    int count() {
        return ledgers.size();
    }

    Ledger get(int partition) {
        return ledgers.get(partition);
    }

    /** Where the engine's own {@code ops.*} events go: partition 0, a fixed place every node agrees on. */
    Ledger opsLedger() {
        return ledgers.get(0);
    }

    /** Each partition's head now. */
    long[] heads() {
        long[] heads = new long[ledgers.size()];
        for (int p = 0; p < heads.length; p++) {
            heads[p] = ledgers.get(p).head();
        }
        return heads;
    }

    /** A reader per partition, each from its own position; all or none (those opened are closed again). */
    EventReader[] openReaders(long[] from) {
        List<EventReader> readers = new ArrayList<>(ledgers.size());
        try {
            for (int p = 0; p < ledgers.size(); p++) {
                readers.add(ledgers.get(p).openReader(from[p]));
            }
        } catch (RuntimeException e) {
            readers.forEach(EventReader::close);
            throw e;
        }
        return readers.toArray(EventReader[]::new);
    }

    /** Each partition's greater position of {@code a} and {@code b}. */
    static long[] max(long[] a, long[] b) {
        long[] max = a.clone();
        for (int p = 0; p < max.length; p++) {
            max[p] = Math.max(max[p], b[p]);
        }
        return max;
    }

    static long sum(long[] positions) {
        long sum = 0;
        for (long position : positions) {
            sum += position;
        }
        return sum;
    }

    /** {@code "12"} for one partition, {@code "12,0,7"} for three: how positions are written in messages. */
    static String format(long[] positions) {
        StringBuilder text = new StringBuilder();
        for (int p = 0; p < positions.length; p++) {
            text.append(p == 0 ? "" : ",").append(positions[p]);
        }
        return text.toString();
    }
}
