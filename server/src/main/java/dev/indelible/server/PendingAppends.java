package dev.indelible.server;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;

/**
 * The appends a client has sent and not had answered, by correlation id. Ids are a sequence and
 * answers come back nearly in order, so entries live in a ring indexed by the id's low bits: adding
 * and removing one is an array store (the sorted concurrent map this replaced took about 7% of the
 * client's CPU at 8 producers). An entry still unanswered when a newer id needs its slot moves to a
 * side map, so an append left unanswered costs one map entry, not a ring as long as every id sent
 * since. Not thread-safe: the pipeline's lock guards it.
 */
final class PendingAppends<T> {
    private final Object[] ring;
    private final int mask;
    private final ToLongFunction<T> correlation;
    private final Map<Long, T> displaced = new HashMap<>();
    private int size;

    /** @param slots at least the number of appends usually in flight; rounded up to a power of two */
    PendingAppends(int slots, ToLongFunction<T> correlation) {
        int length = Integer.highestOneBit(Math.max(2, slots - 1)) << 1;
        this.ring = new Object[length];
        this.mask = length - 1;
        this.correlation = correlation;
    }

    /** Adds {@code entry}, whose id is not pending yet. */
    void add(T entry) {
        int slot = slot(correlation.applyAsLong(entry));
        T older = at(slot);
        if (older != null) {
            displaced.put(correlation.applyAsLong(older), older);
        }
        ring[slot] = entry;
        size++;
    }

    /** The entry of {@code id}, removed; null when none is pending (answered already, or never sent). */
    T remove(long id) {
        int slot = slot(id);
        T entry = at(slot);
        if (entry != null && correlation.applyAsLong(entry) == id) {
            ring[slot] = null;
            size--;
            return entry;
        }
        entry = displaced.isEmpty() ? null : displaced.remove(id);
        if (entry != null) {
            size--;
        }
        return entry;
    }

    int size() {
        return size;
    }

    /** Every entry, in the order of their ids. */
    @SuppressWarnings("unchecked")
    List<T> inOrder() {
        List<T> all = new ArrayList<>(size);
        for (Object entry : ring) {
            if (entry != null) {
                all.add((T) entry);
            }
        }
        all.addAll(displaced.values());
        all.sort(Comparator.comparingLong(correlation));
        return all;
    }

    /** Removes the entries that match {@code which}; returns them in the order of their ids. */
    List<T> removeIf(Predicate<T> which) {
        List<T> removed = new ArrayList<>();
        for (int slot = 0; slot < ring.length; slot++) {
            T entry = at(slot);
            if (entry != null && which.test(entry)) {
                ring[slot] = null;
                removed.add(entry);
            }
        }
        displaced.values().removeIf(entry -> which.test(entry) && removed.add(entry));
        size -= removed.size();
        removed.sort(Comparator.comparingLong(correlation));
        return removed;
    }

    private int slot(long id) {
        return (int) id & mask;
    }

    @SuppressWarnings("unchecked")
    private T at(int slot) {
        return (T) ring[slot];
    }
}
