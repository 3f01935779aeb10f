package dev.indelible.projections;

import java.util.List;

/**
 * Where one projection stands.
 *
 * @param position       the {@code global_seq} of the next event it will apply (its checkpoint); over
 *                       several partitions, the events it has read of all of them (the sum of {@code positions})
 * @param lag            journal head minus position: events not yet applied (over every partition)
 * @param eventsApplied  events of its types applied into the live version since it was built
 * @param state          what it is doing now
 * @param positions      each partition's next {@code global_seq}, partition p at index p; one for a single ledger
 */
public record ProjectionStatus(String name, String liveVersion, long position, long lag, long eventsApplied,
                               State state, List<Long> positions) {

    public ProjectionStatus {
        positions = List.copyOf(positions);
    }

    public enum State { CATCHING_UP, LIVE, REBUILDING, FAILED, CLOSED, READ_ONLY }
}
