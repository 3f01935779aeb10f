package dev.indelible.projections.internal;

import dev.indelible.ledger.EventReader;
import dev.indelible.ledger.Ledger;
import dev.indelible.projections.EngineConfig;
import dev.indelible.projections.Projection;
import dev.indelible.projections.ProjectionException;
import dev.indelible.projections.RebuildListener;
import org.rocksdb.RocksDBException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds a new version of one or more projections from {@code global_seq} 0 and makes them current.
 *
 * <p>The lifecycle: a fresh version directory each, written without the WAL (it is not live); one
 * pass over the journal up to its head, every event handed to every projection; validate each (the
 * checkpoint reached the head with no gap, every event of the projection's types applied, every
 * block's checksum reads back); flush; only when all validated is each CURRENT replaced atomically.
 * Whoever runs a projection live adopts the new version at its next check. The caller holds every
 * projection's {@link RebuildLock}. Not thread-safe.
 */
final class Rebuilder {

    private static final int BULK_BATCH = 10_000;

    private Rebuilder() {
    }

    record Built(String version, String digest, long events, long applied, Duration took) {
    }

    static Built build(Ledger ledger, ProjectionDir dir, Projection projection, EngineConfig config) {
        return build(ledger, dir, projection, config, (done, of) -> { });
    }

    static Built build(Ledger ledger, ProjectionDir dir, Projection projection, EngineConfig config,
                       RebuildListener progress) {
        return build(ledger, dir, projection, config, progress, -1);
    }

    /** @param upTo the {@code global_seq} to stop before; -1 for the journal head */
    static Built build(Ledger ledger, ProjectionDir dir, Projection projection, EngineConfig config,
                       RebuildListener progress, long upTo) {
        return buildAll(ledger, List.of(dir), List.of(projection), config, progress, upTo).get(0);
    }

    /**
     * Builds {@code projections.get(i)} into {@code dirs.get(i)} from one read of the journal.
     *
     * @param upTo the {@code global_seq} to stop before; -1 for the journal head
     */
    static List<Built> buildAll(Ledger ledger, List<ProjectionDir> dirs, List<Projection> projections,
                                EngineConfig config, RebuildListener progress, long upTo) {
        long started = System.nanoTime();
        List<VersionStore> stores = new ArrayList<>();
        List<Applier> appliers = new ArrayList<>();
        List<String> versions = new ArrayList<>();
        try {
            for (int i = 0; i < projections.size(); i++) {
                String version = dirs.get(i).nextVersionName(projections.get(i).version());
                versions.add(version);
                stores.add(open(dirs.get(i), version, projections.get(i)));
                appliers.add(new Applier(projections.get(i), stores.get(i)));
            }
            long target = upTo >= 0 ? upTo : ledger.head();
            replay(ledger, appliers, target, Math.max(BULK_BATCH, config.batchEvents()), progress);
            List<String> digests = new ArrayList<>();
            for (int i = 0; i < projections.size(); i++) {
                digests.add(validate(projections.get(i), appliers.get(i), stores.get(i), target));
            }
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            List<Built> built = new ArrayList<>();
            for (int i = 0; i < projections.size(); i++) {
                dirs.get(i).setCurrent(versions.get(i));
                built.add(new Built(versions.get(i), digests.get(i), appliers.get(i).read(), appliers.get(i).applied(), took));
            }
            return built;
        } catch (RocksDBException e) {
            throw new ProjectionException("rebuild of " + names(projections) + " failed: " + e.getMessage(), e);
        } finally {
            appliers.forEach(Applier::close);
            stores.forEach(VersionStore::close);
        }
    }

    private static VersionStore open(ProjectionDir dir, String version, Projection projection) {
        try {
            return VersionStore.open(dir.version(version), true);
        } catch (RocksDBException e) {
            throw new ProjectionException("rebuild of " + projection.name() + " could not create " + dir.version(version)
                    + ": " + e.getMessage(), e);
        }
    }

    private static void replay(Ledger ledger, List<Applier> appliers, long target, int batch, RebuildListener progress)
            throws RocksDBException {
        long next = 0;
        try (EventReader reader = ledger.openReader(0)) {
            while (next < target) {
                int n = reader.poll(event -> appliers.forEach(a -> a.accept(event)), (int) Math.min(batch, target - next));
                if (n == 0) {
                    Thread.onSpinWait();
                    continue;
                }
                next += n;
                for (Applier applier : appliers) {
                    applier.commit();
                }
                progress.onProgress(next, target);
            }
        }
    }

    private static String validate(Projection projection, Applier applier, VersionStore store, long target)
            throws RocksDBException {
        if (applier.nextSeq() != target) {
            throw new ProjectionException("rebuild of " + projection.name() + " stopped at " + applier.nextSeq()
                    + " before the head " + target);
        }
        if (store.applied() != applier.applied() || store.nextSeq() != target) {
            throw new ProjectionException("rebuild of " + projection.name() + " did not validate: checkpoint "
                    + store.nextSeq() + "/" + target + ", applied " + store.applied() + "/" + applier.applied());
        }
        store.markComplete(projection.version());
        store.flush();
        store.verifyChecksums();
        return store.digest();
    }

    private static String names(List<Projection> projections) {
        return String.join(", ", projections.stream().map(Projection::name).toList());
    }
}
