package dev.indelible.projections;

/**
 * A projection's live version is open in another process (one engine per projection directory);
 * {@link ProjectionEngine#openReadOnly} can still read it.
 *
 * <p>Immutable and thread-safe.
 */
public class ProjectionInUseException extends ProjectionException {
    private static final long serialVersionUID = 1L;

    public ProjectionInUseException(String message, Throwable cause) {
        super(message, cause);
    }
}
