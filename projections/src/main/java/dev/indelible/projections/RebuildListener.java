package dev.indelible.projections;

/**
 * Hears how far a rebuild has come, after every batch, on the rebuilding thread: for a progress
 * bar. Must be quick and must not throw.
 */
@FunctionalInterface
public interface RebuildListener {
    /** @param position the next {@code global_seq} to apply; {@code target} the head being rebuilt to */
    void onProgress(long position, long target);
}
