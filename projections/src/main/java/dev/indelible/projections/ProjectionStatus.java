package dev.indelible.projections;

/**
 * Where one projection stands.
 *
 * @param position       the {@code global_seq} of the next event it will apply (its checkpoint)
 * @param lag            journal head minus position: events not yet applied
 * @param eventsApplied  events of its types applied into the live version since it was built
 * @param state          what it is doing now
 */
public record ProjectionStatus(String name, String liveVersion, long position, long lag, long eventsApplied,
                               State state) {

    public enum State { CATCHING_UP, LIVE, REBUILDING, FAILED, CLOSED, READ_ONLY }
}
