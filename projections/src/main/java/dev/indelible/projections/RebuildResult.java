package dev.indelible.projections;

import java.time.Duration;
import java.util.List;

/**
 * What a rebuild did: the version it replaced and the one now live, with both digests.
 *
 * @param previousVersion     {@code null} when the projection had no version before
 * @param events              journal events read to build it
 * @param applied             events of the projection's types applied
 * @param discardedUnfinished versions left by earlier builds that did not finish (killed, or failed
 *                            before they validated), deleted by this one; newest first
 */
public record RebuildResult(String projection, String previousVersion, String previousDigest, String newVersion,
                            String newDigest, long events, long applied, Duration took,
                            List<String> discardedUnfinished) {

    public RebuildResult {
        discardedUnfinished = List.copyOf(discardedUnfinished);
    }

    /** Events read per second. */
    public double eventsPerSecond() {
        return events / Math.max(1e-9, took.toNanos() / 1e9);
    }
}
