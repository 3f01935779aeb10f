package dev.indelible.projections;

import dev.indelible.ledger.Ledger;
import dev.indelible.projections.internal.OfflineBuilds;

import java.nio.file.Path;
import java.util.List;

/**
 * Rebuild, rollback and digests of projections that no engine in this process runs: for a command
 * line (the CLI's {@code replay} and {@code verify}). An engine running them in another process adopts
 * what CURRENT names at its next look (every 100 ms), once that version has caught up.
 *
 * <p>Stateless and thread-safe; the rebuild lock keeps two rebuilds or rollbacks of one projection
 * apart, across processes.
 */
public final class OfflineProjections {

    private OfflineProjections() {
    }

    /**
     * Builds and validates a new version of {@code projection}, swaps CURRENT and keeps the previous
     * version. Readers of an engine running it keep the old version until it adopts the new one.
     *
     * @throws RebuildInProgressException at once when another rebuild of it runs
     */
    public static RebuildResult rebuild(Ledger ledger, Path projectionsDir, Projection projection,
                                        RebuildListener progress) {
        return rebuild(ledger, projectionsDir, List.of(projection), progress).get(0);
    }

    /**
     * Rebuilds several projections as {@link #rebuild(Ledger, Path, Projection, RebuildListener)} does,
     * reading the journal once for all of them; CURRENT is swapped for each only when all validated.
     * Results are in the order given.
     *
     * @throws RebuildInProgressException at once when another rebuild of any of them runs
     */
    public static List<RebuildResult> rebuild(Ledger ledger, Path projectionsDir, List<Projection> projections,
                                              RebuildListener progress) {
        return rebuild(List.of(ledger), projectionsDir, projections, progress);
    }

    /**
     * {@link #rebuild(Ledger, Path, List, RebuildListener)} over every partition of a journal,
     * {@code partitions.get(p)} being partition p's ledger: each version keeps one checkpoint per
     * partition (see {@link ProjectionEngine}). Progress counts the events read of all partitions.
     *
     * @throws ProjectionException when a live version was built over another number of partitions
     */
    public static List<RebuildResult> rebuild(List<Ledger> partitions, Path projectionsDir,
                                              List<Projection> projections, RebuildListener progress) {
        return OfflineBuilds.rebuild(partitions, projectionsDir, projections, progress);
    }

    /**
     * Points CURRENT back at the newest other version that completed its build, as
     * {@link ProjectionEngine#rollback(String)} does for a running engine. Versions whose build did
     * not finish are skipped and deleted, and named in the result.
     *
     * @throws ProjectionException when no other version completed its build; CURRENT is unchanged
     */
    public static RollbackResult rollback(Ledger ledger, Path projectionsDir, String projection) {
        return OfflineBuilds.rollback(List.of(ledger), projectionsDir, projection);
    }

    /**
     * The digest {@code projection} has after applying every event before {@code upTo}, computed
     * from scratch in a temporary directory that is deleted afterwards: what a live version at that
     * position must equal.
     */
    public static String digestFromScratch(Ledger ledger, Path projectionsDir, Projection projection, long upTo) {
        return digestFromScratch(ledger, projectionsDir, projection, upTo, (position, target) -> { });
    }

    /** {@link #digestFromScratch(Ledger, Path, Projection, long)}, telling {@code progress} how far the build is. */
    public static String digestFromScratch(Ledger ledger, Path projectionsDir, Projection projection, long upTo,
                                           RebuildListener progress) {
        return OfflineBuilds.digestFromScratch(List.of(ledger), projectionsDir, projection, new long[] {upTo}, progress);
    }

    /**
     * {@link #digestFromScratch(Ledger, Path, Projection, long, RebuildListener)} over every partition
     * of a journal, {@code partitions.get(p)} being partition p's ledger, applying each partition's
     * events before {@code upTo[p]}: what a live version at those positions must equal.
     */
    public static String digestFromScratch(List<Ledger> partitions, Path projectionsDir, Projection projection,
                                           long[] upTo, RebuildListener progress) {
        return OfflineBuilds.digestFromScratch(partitions, projectionsDir, projection, upTo.clone(), progress);
    }
}
