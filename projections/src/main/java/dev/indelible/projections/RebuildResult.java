package dev.indelible.projections;

import java.time.Duration;

/**
 * What a rebuild did: the version it replaced and the one now live, with both digests.
 *
 * @param previousVersion {@code null} when the projection had no version before
 * @param events          journal events read to build it
 * @param applied         events of the projection's types applied
 */
public record RebuildResult(String projection, String previousVersion, String previousDigest, String newVersion,
                            String newDigest, long events, long applied, Duration took) {

    /** Events read per second. */
    public double eventsPerSecond() {
        return events / Math.max(1e-9, took.toNanos() / 1e9);
    }
}
