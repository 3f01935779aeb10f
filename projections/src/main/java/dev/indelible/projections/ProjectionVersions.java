package dev.indelible.projections;

import java.util.List;

/**
 * What one projection keeps on disk: its versions, newest build first, and what its quarantine
 * holds. A snapshot read when asked; immutable and thread-safe.
 *
 * @param live        the version readers use, {@code null} before the first build
 * @param versions    every version directory, the live one included, newest build first
 * @param quarantined damaged versions moved aside (never deleted), newest first
 */
public record ProjectionVersions(String projection, String live, List<Version> versions, List<Quarantined> quarantined) {

    public ProjectionVersions {
        versions = List.copyOf(versions);
        quarantined = List.copyOf(quarantined);
    }

    /** Whether a version can go live: only a build that completed its validation can. */
    public enum Build { COMPLETE, UNFINISHED, UNREADABLE }

    /**
     * One version directory.
     *
     * @param checkpoint the next {@code global_seq} it would apply; -1 when it cannot be read
     * @param applied    events of its types applied; -1 when it cannot be read
     */
    public record Version(String name, boolean live, Build build, long checkpoint, long applied) {
    }

    /**
     * One quarantined version: {@code <version>-<UTC time it was moved>}.
     *
     * @param bytes the size of its files, what keeping it costs
     */
    public record Quarantined(String name, long files, long bytes) {
    }
}
