package dev.indelible.projections.internal;

import dev.indelible.ledger.DaemonThreads;
import dev.indelible.ledger.Ledger;
import dev.indelible.projections.EngineConfig;
import dev.indelible.projections.OfflineProjections;
import dev.indelible.projections.Projection;
import dev.indelible.projections.RebuildListener;
import dev.indelible.projections.RebuildResult;
import dev.indelible.projections.RollbackResult;
import org.rocksdb.RocksDBException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Rebuild, rollback and scratch digests of projections no engine of this process runs: the work
 * behind {@link OfflineProjections}.
 *
 * <p>Stateless; the rebuild locks keep concurrent callers, here or in other processes, apart.
 */
public final class OfflineBuilds {

    private OfflineBuilds() {
    }

    /** See {@link OfflineProjections#rebuild(Ledger, Path, List, RebuildListener)}. */
    public static List<RebuildResult> rebuild(List<Ledger> ledgers, Path dir, List<Projection> projections,
                                              RebuildListener progress) {
        Partitions partitions = Partitions.of(ledgers);
        ProjectionDir.createRoot(dir);
        List<ProjectionDir> dirs = ProjectionDir.byName(projections).keySet().stream()
                .map(name -> new ProjectionDir(dir, name)).toList();
        Instant started = Instant.now();
        List<RebuildLock> locks = new ArrayList<>();
        ExecutorService digester = Executors.newSingleThreadExecutor(DaemonThreads.numbered("indelible-previous-digest"));
        List<CompletableFuture<String>> previousDigests = new ArrayList<>();
        try {
            List<String> previous = new ArrayList<>();
            for (ProjectionDir pdir : dirs) {
                locks.add(RebuildLock.acquire(pdir));
                String live = pdir.current().filter(v -> Files.isDirectory(pdir.version(v))).orElse(null);
                requirePartitionCount(pdir, live, partitions.count());
                previous.add(live);
                // Read while the new versions are built: the locks keep anyone from changing them.
                previousDigests.add(live == null ? CompletableFuture.completedFuture(null)
                        : CompletableFuture.supplyAsync(() -> readOnlyDigest(pdir.version(live)), digester));
            }
            List<Rebuilder.Built> built = Rebuilder.buildAll(partitions, dirs, projections, EngineConfig.defaults(), progress,
                    null);
            OpsRecorder ops = new OpsRecorder(partitions);
            List<RebuildResult> results = new ArrayList<>();
            for (int i = 0; i < dirs.size(); i++) {
                RebuildResult result = built.get(i).result(projections.get(i).name(), previous.get(i),
                        previousDigests.get(i).join());
                dirs.get(i).prune(EngineConfig.defaults().keepVersions(), result.newVersion());
                ops.replayed(started, result, Map.of());
                results.add(result);
            }
            return results;
        } finally {
            previousDigests.forEach(digest -> digest.cancel(false)); // after a failure: only a running one goes on
            digester.shutdown();
            awaitTermination(digester); // no version is unlocked while its digest is being read
            locks.forEach(RebuildLock::close);
        }
    }

    /** See {@link OfflineProjections#rollback(Ledger, Path, String)}. */
    public static RollbackResult rollback(List<Ledger> ledgers, Path dir, String projection) {
        ProjectionDir pdir = new ProjectionDir(dir, ProjectionDir.checkName(projection));
        return Rollback.run(pdir, new OpsRecorder(Partitions.of(ledgers)), Map.of(), () -> pdir.current().orElse(null), version -> { });
    }

    /** Builds the projection up to {@code upTo} in a scratch directory, returns its digest and deletes it. */
    public static String digestFromScratch(List<Ledger> ledgers, Path dir, Projection projection, long[] upTo,
                                           RebuildListener progress) {
        Partitions partitions = Partitions.of(ledgers);
        if (upTo.length != partitions.count()) {
            throw new IllegalArgumentException("upTo must hold one position per partition (" + partitions.count() + "): "
                    + Partitions.format(upTo));
        }
        Path scratch = dir.resolve(".scratch").resolve(ProjectionDir.checkName(projection.name()) + "-"
                + ProcessHandle.current().pid() + "-" + System.nanoTime());
        try {
            ProjectionDir pdir = new ProjectionDir(scratch.getParent(), scratch.getFileName().toString());
            return Rebuilder.build(partitions, pdir, projection, EngineConfig.defaults(), progress, upTo).digest();
        } finally {
            ProjectionDir.deleteTree(scratch);
        }
    }

    /** A rebuild over another partition count than the live version's is refused, as an engine's open is. */
    private static void requirePartitionCount(ProjectionDir dir, String live, int partitions) {
        if (live == null) {
            return;
        }
        try (VersionStore store = VersionStore.openReadOnly(dir.version(live))) {
            store.checkPartitions(dir.projection(), partitions);
        } catch (RocksDBException e) {
            // unreadable: the rebuild replaces it, as before partitions
        }
    }

    private static void awaitTermination(ExecutorService executor) {
        try {
            while (!executor.awaitTermination(1, TimeUnit.MINUTES)) {
                // a digest reads the whole version: wait on
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String readOnlyDigest(Path version) {
        try (VersionStore store = VersionStore.openReadOnly(version)) {
            return store.digest();
        } catch (RocksDBException e) {
            return "unreadable (" + e.getMessage() + ")";
        }
    }
}
