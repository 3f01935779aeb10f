package dev.indelible.server.internal;

import dev.indelible.projections.ProjectionStatus;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The warnings the overview shows, those {@code indelible status} gives: a data directory on tmpfs
 * or overlay, a failed or lagging projection, and a count that fell ({@link CountHistory}, from the
 * counts the last {@code status} saw, then from the console's previous look). A fall stays listed
 * for {@link #FALL_SHOWN} after it was seen: a page polling every 2 s would otherwise show it for
 * 2 s. Thread-safe.
 */
final class ConsoleWarnings {
    static final Duration FALL_SHOWN = Duration.ofHours(1);

    private final Path dataDir;
    private final Clock clock;
    private final CountHistory counts;
    private final Set<String> compared = new HashSet<>();
    private final Map<String, Fall> falls = new TreeMap<>();

    private record Fall(String warning, Instant seen) {
    }

    ConsoleWarnings(Path dataDir, Clock clock) {
        this.dataDir = dataDir;
        this.clock = clock;
        this.counts = new CountHistory(dataDir);
    }

    /** @param projectionCounts each projection's count now, for those that keep one and could be read */
    synchronized List<String> warnings(List<ProjectionStatus> projections, Map<String, Long> projectionCounts,
                                       boolean projectionsRun) {
        List<String> warnings = new ArrayList<>();
        try {
            EphemeralStorage.warning(dataDir).ifPresent(warnings::add);
        } catch (IOException e) {
            warnings.add("cannot tell the data directory's file system: " + e.getMessage());
        }
        for (ProjectionStatus p : projections) {
            if (p.state() == ProjectionStatus.State.FAILED) {
                warnings.add("projection " + p.name() + " failed; the server is not ready (see its log)");
            } else if (p.lag() > Readiness.READY_LAG) {
                warnings.add("projection " + p.name() + " trails the journal by " + p.lag() + " events (over "
                    + Readiness.READY_LAG + ": not ready)");
            }
        }
        if (!projectionsRun) {
            warnings.add("this server runs no projections (--no-projections): queries are unavailable");
        }
        Instant now = clock.instant();
        projectionCounts.forEach((name, count) -> {
            String since = compared.add(name) ? "the last `indelible status`" : "the console's previous look";
            counts.compare(name, count, since).ifPresent(w -> falls.put(name, new Fall(w, now)));
        });
        falls.values().removeIf(f -> f.seen.plus(FALL_SHOWN).isBefore(now));
        falls.values().forEach(f -> warnings.add(f.warning + " (seen at " + f.seen.truncatedTo(ChronoUnit.SECONDS) + ")"));
        return warnings;
    }
}
