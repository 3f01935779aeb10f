package dev.indelible.projections;

/**
 * A projection could not be opened, built or read; the message says which and why.
 *
 * <p>Immutable and thread-safe.
 */
public class ProjectionException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ProjectionException(String message) {
        super(message);
    }

    public ProjectionException(String message, Throwable cause) {
        super(message, cause);
    }
}
