package dev.indelible.projections;

/**
 * Another rebuild of the projection is running; says who holds its lock.
 *
 * <p>Immutable and thread-safe.
 */
public class RebuildInProgressException extends ProjectionException {
    private static final long serialVersionUID = 1L;

    private final String holder;

    public RebuildInProgressException(String projection, String holder) {
        super("a rebuild of projection '" + projection + "' is already running (" + holder + "); try again when it ends");
        this.holder = holder;
    }

    /** Who holds the lock, e.g. {@code pid 4242 on host a since 2026-11-25T01:00:00Z}. */
    public String holder() {
        return holder;
    }
}
