package dev.indelible.projections.internal;

import dev.indelible.ledger.Ledger;
import dev.indelible.projections.EngineConfig;
import dev.indelible.projections.Projection;
import dev.indelible.projections.ProjectionException;
import dev.indelible.projections.RebuildListener;
import org.rocksdb.RocksDBException;

import java.time.Duration;

/**
 * Builds a new version of a projection from {@code global_seq} 0 and makes it current.
 *
 * <p>The lifecycle: a fresh version directory, written without the WAL (it is not live); catch up
 * to the journal head; validate (the checkpoint reached the head with no gap, every event of the
 * projection's types applied, every block's checksum reads back); flush; then CURRENT is replaced
 * atomically. Whoever runs the projection live adopts the new version at its next check. The
 * caller holds the {@link RebuildLock}. Not thread-safe.
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
        long started = System.nanoTime();
        String version = dir.nextVersionName(projection.version());
        try (VersionStore store = VersionStore.open(dir.version(version), true)) {
            long target = upTo >= 0 ? upTo : ledger.head();
            long applied;
            long read;
            try (Applier applier = new Applier(ledger, projection, store)) {
                applier.catchUpTo(target, Math.max(BULK_BATCH, config.batchEvents()), progress);
                applied = applier.applied();
                read = applier.read();
                if (applier.nextSeq() != target) {
                    throw new ProjectionException("rebuild of " + projection.name() + " stopped at " + applier.nextSeq()
                            + " before the head " + target);
                }
            }
            if (store.applied() != applied || store.nextSeq() != target) {
                throw new ProjectionException("rebuild of " + projection.name() + " did not validate: checkpoint "
                        + store.nextSeq() + "/" + target + ", applied " + store.applied() + "/" + applied);
            }
            store.markComplete(projection.version());
            store.flush();
            store.verifyChecksums();
            String digest = store.digest();
            dir.setCurrent(version);
            return new Built(version, digest, read, applied, Duration.ofNanos(System.nanoTime() - started));
        } catch (RocksDBException e) {
            throw new ProjectionException("rebuild of " + projection.name() + " into " + dir.version(version)
                    + " failed: " + e.getMessage(), e);
        }
    }
}
