package dev.indelible.projections.internal;

import dev.indelible.projections.EngineConfig;
import dev.indelible.projections.Projection;
import dev.indelible.projections.ProjectionException;
import dev.indelible.projections.ProjectionInUseException;
import org.rocksdb.RocksDBException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * Finds the version of one projection that may go live: opens what CURRENT names, and moves a
 * damaged or unfinished version to {@code quarantine/} (never deleting it) and rebuilds from the
 * journal in its place. The runner installs what this returns.
 *
 * <p>Called by one thread at a time (the caller of open, then the runner's thread).
 */
final class LiveVersions {

    private static final Logger LOG = LoggerFactory.getLogger(LiveVersions.class);

    private final Partitions partitions;
    private final Projection projection;
    private final ProjectionDir dir;
    private final EngineConfig config;
    private final Clock clock;
    private final OpsRecorder ops;
    private volatile String lastQuarantine;

    LiveVersions(Partitions partitions, Projection projection, ProjectionDir dir, EngineConfig config, Clock clock,
                 OpsRecorder ops) {
        this.partitions = partitions;
        this.projection = projection;
        this.dir = dir;
        this.config = config;
        this.clock = clock;
        this.ops = ops;
    }

    /**
     * The live version, opened for writing: built when there is none or the code version changed,
     * quarantined and rebuilt when it is damaged or never finished its build.
     */
    VersionStore openAtStart() {
        Optional<String> current = dir.current();
        if (current.isPresent() && Files.isDirectory(dir.version(current.get()))) {
            try {
                VersionStore store = openVerified(current.get());
                if (!store.complete()) {
                    store.close();
                    quarantineUnfinished(current.get());
                } else {
                    requirePartitionCount(store); // before a code-version rebuild, which would build over the new count
                    if (store.codeVersion() == projection.version()) {
                        return store;
                    }
                    LOG.info("projection {}: {} was built by code version {}, this is {}: rebuilding (it is kept)",
                            projection.name(), store.name(), store.codeVersion(), projection.version());
                    store.close();
                }
            } catch (RocksDBException e) {
                if (!Damage.isDamage(e)) {
                    throw openFailure(current.get(), e);
                }
                quarantine(current.get(), e);
            }
        }
        return rebuild();
    }

    /** The live version, for reading only and without its lock: another process owns and follows it. */
    VersionStore openReadOnly() {
        String current = dir.current().orElseThrow(() -> new ProjectionException("projection " + projection.name()
                + " has not been built yet: run `indelible replay " + projection.name() + "`"));
        try {
            VersionStore store = VersionStore.openReadOnly(dir.version(current));
            if (!store.complete()) {
                store.close();
                throw new ProjectionException("projection " + projection.name() + " is not available: its live version "
                        + current + " did not finish its build (killed or failed before it validated); the engine"
                        + " quarantines and rebuilds it at its next start, or run `indelible replay " + projection.name() + "`");
            }
            requirePartitionCount(store);
            return store;
        } catch (RocksDBException e) {
            throw new ProjectionException("cannot read projection " + projection.name() + " at " + dir.version(current)
                    + ": " + e.getMessage(), e);
        }
    }

    /** Quarantines {@code damaged} (already closed) and returns a version rebuilt from the journal. */
    VersionStore replaceDamaged(String damaged, RocksDBException cause) {
        quarantine(damaged, cause);
        return rebuild();
    }

    /** What the last quarantine did, for a scrub's result. */
    String lastQuarantine() {
        return lastQuarantine;
    }

    private VersionStore rebuild() {
        try (RebuildLock lock = RebuildLock.acquire(dir)) {
            Rebuilder.build(partitions, dir, projection, config);
        }
        String version = dir.current().orElseThrow();
        try {
            return VersionStore.open(dir.version(version), false);
        } catch (RocksDBException e) {
            throw openFailure(version, e);
        }
    }

    private void quarantine(String version, RocksDBException cause) {
        Instant started = clock.instant();
        Path moved = dir.quarantine(version, clock);
        lastQuarantine = version + " is damaged (" + cause.getMessage() + "); moved to " + moved + " and rebuilt";
        LOG.warn("projection {}: {} is damaged ({}); moved to {} and rebuilding from the journal",
                projection.name(), version, cause.getMessage(), moved);
        ops.record("quarantine", projection.name(), started, "ok",
                Map.of("version", version, "moved_to", moved.toString(), "cause", String.valueOf(cause.getMessage())));
    }

    /** CURRENT names a version that never validated (only a bug or a hand could do that): kept aside, never live. */
    private void quarantineUnfinished(String version) {
        Instant started = clock.instant();
        Path moved = dir.quarantine(version, clock);
        LOG.error("projection {}: the live version {} did not finish its build (it never validated); moved to {}"
                + " and rebuilding from the journal", projection.name(), version, moved);
        ops.record("quarantine", projection.name(), started, "ok", Map.of("version", version,
                "moved_to", moved.toString(), "cause", "its build did not finish: it never validated"));
    }

    /** Another partition count is a misconfiguration, not damage: refused (and closed), never quarantined or rebuilt. */
    private void requirePartitionCount(VersionStore store) {
        try {
            store.checkPartitions(projection.name(), partitions.count());
        } catch (ProjectionException e) {
            store.close();
            throw e;
        }
    }

    private VersionStore openVerified(String version) throws RocksDBException {
        VersionStore store = VersionStore.open(dir.version(version), false);
        if (config.verifyChecksumsOnOpen()) {
            try {
                store.verifyChecksums();
            } catch (RocksDBException e) {
                store.close();
                throw e;
            }
        }
        return store;
    }

    private ProjectionException openFailure(String version, RocksDBException e) {
        String where = "cannot open projection " + projection.name() + " at " + dir.version(version) + ": ";
        return Damage.isBusy(e)
                ? new ProjectionInUseException(where + "it is open in another process (one engine per projection directory)", e)
                : new ProjectionException(where + e.getMessage(), e);
    }
}
