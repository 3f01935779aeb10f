package dev.indelible.projections.internal;

import dev.indelible.ledger.DaemonThreads;
import dev.indelible.projections.EngineConfig;
import dev.indelible.projections.Projection;
import dev.indelible.projections.ProjectionException;
import dev.indelible.projections.ProjectionStatus;
import dev.indelible.projections.ScrubResult;
import org.rocksdb.RocksDBException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * Keeps one projection live: applies new journal events to the live version on its own thread, and
 * adopts whatever version CURRENT names once that version has caught up (a rebuild or rollback from
 * this process or another). Queries read the live version through reference-counted snapshots.
 *
 * <p>Design note: the thread runs one loop in the shape of Agrona's {@code Agent}: each pass does three
 * duties, each a method returning the work it did ({@link #repairDamageFoundByScrub}, {@link
 * #adoptCurrentIfChanged}, {@link #applyNewEvents}), and a pass that did nothing backs off ({@link
 * Backoff}). Other threads never touch the live version's writer: they hand work over through two
 * volatile requests (look at CURRENT now; repair this damage) and wait on what the runner publishes
 * ({@link PublishedState#await}, the one wait).
 *
 * <p>Thread-safe: one runner thread writes; any thread may query, wait or ask for status.
 */
final class ProjectionRunner implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(ProjectionRunner.class);
    private static final long CHECK_CURRENT_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long MIN_IDLE_PAUSE_NANOS = TimeUnit.MICROSECONDS.toNanos(50);
    private static final long MAX_IDLE_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    private static final long NO_SPACE_FIRST_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    private static final long NO_SPACE_MAX_PAUSE_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final Partitions partitions;
    private final Projection projection;
    private final ProjectionDir dir;
    private final EngineConfig config;
    private final LiveVersions versions;
    private final PublishedState published;
    // Requests from other threads, taken by the runner's thread.
    private volatile boolean checkCurrentNow;
    private volatile RocksDBException damageFoundByScrub;
    // The runner thread's own.
    private Applier applier;
    private long nextCurrentCheck;
    private String refusedVersion; // the unfinished version CURRENT named, logged once
    private Thread thread;

    ProjectionRunner(Partitions partitions, Projection projection, Path projectionsDir, EngineConfig config, Clock clock,
                     OpsRecorder ops) {
        this.partitions = partitions;
        this.published = new PublishedState(partitions.count());
        this.projection = projection;
        this.dir = new ProjectionDir(projectionsDir, projection.name());
        this.config = config;
        this.versions = new LiveVersions(partitions, projection, dir, config, clock, ops);
    }

    ProjectionDir dir() {
        return dir;
    }

    Projection projection() {
        return projection;
    }

    /**
     * Opens the live version, on the caller's thread: builds one when there is none or the code
     * version changed, and quarantines and rebuilds one that is damaged or never finished its build.
     */
    void open() {
        install(versions.openAtStart());
    }

    /**
     * Opens the live version for reading only, without its lock: another process (the server, an
     * engine) owns and follows it; this sees it as of now and never writes.
     */
    void openReadOnly() {
        VersionStore store = versions.openReadOnly();
        published.live(store);
        published.state(ProjectionStatus.State.READ_ONLY);
        published.advanced(store.nextSeqs(partitions.count()), store.applied());
    }

    void start() {
        nextCurrentCheck = System.nanoTime() + CHECK_CURRENT_NANOS;
        thread = DaemonThreads.start("indelible-projection-" + projection.name(), this);
    }

    @Override
    public void run() {
        Backoff idle = new Backoff(MIN_IDLE_PAUSE_NANOS, MAX_IDLE_PAUSE_NANOS);
        while (!published.closed() && published.state() != ProjectionStatus.State.FAILED) {
            idle.idle(doWork());
        }
    }

    /** One pass over the duties; returns the work done, 0 when there was none. Failures are handled here. */
    private int doWork() {
        try {
            int repaired = repairDamageFoundByScrub();
            if (repaired > 0) {
                return repaired; // a new live version: the other duties start afresh on the next pass
            }
            return adoptCurrentIfChanged() + applyNewEvents();
        } catch (RocksDBException e) {
            onStorageFailure(e);
        } catch (RuntimeException | Error e) {
            RocksDBException storage = rocksCause(e);
            if (storage != null) {
                onStorageFailure(storage);
            } else if (!published.closed()) {
                fail(e);
            }
        }
        return 1; // a failure handled: look again at once, unless it stopped the projection
    }

    /** Applies the next batch of journal events; the number applied. */
    private int applyNewEvents() throws RocksDBException {
        int count = applier.step(config.batchEvents());
        if (count > 0) {
            publishProgress();
        } else {
            published.state(ProjectionStatus.State.LIVE);
        }
        return count;
    }

    /** Damage a scrub found: quarantine the live version and rebuild; 1 when there was some. */
    private int repairDamageFoundByScrub() {
        RocksDBException damage = damageFoundByScrub;
        if (damage == null) {
            return 0;
        }
        damageFoundByScrub = null;
        onStorageFailure(damage);
        return 1;
    }

    /**
     * Every 100 ms, or at once when asked: when CURRENT names another version that completed its
     * build, brings it to the journal head and makes it live. 1 when it did.
     */
    private int adoptCurrentIfChanged() throws RocksDBException {
        if (!checkCurrentNow && System.nanoTime() - nextCurrentCheck < 0) {
            return 0;
        }
        checkCurrentNow = false;
        nextCurrentCheck = System.nanoTime() + CHECK_CURRENT_NANOS;
        Optional<String> current = dir.current();
        if (current.isEmpty() || current.get().equals(published.liveVersion())) {
            return 0;
        }
        VersionStore next = openCompleted(current.get());
        if (next == null) {
            return 0;
        }
        Applier nextApplier = new Applier(partitions, projection, next);
        try {
            // never behind what readers saw: they do not go back
            nextApplier.catchUpTo(Partitions.max(published.positions(), partitions.heads()), config.batchEvents());
        } catch (RocksDBException | RuntimeException e) {
            nextApplier.close();
            next.close();
            throw e;
        }
        VersionStore previous = published.live();
        dir.prune(config.keepVersions(), next.name()); // before the swap: who waits for it sees the pruned directory
        applier.close();
        applier = nextApplier;
        published.live(next);
        previous.close();
        LOG.info("projection {}: {} is live (was {})", projection.name(), next.name(), previous.name());
        publishProgress();
        return 1;
    }

    /**
     * The version CURRENT names, or null while its builder still has it open, when its build never
     * finished, or when it was built over another partition count.
     */
    private VersionStore openCompleted(String version) throws RocksDBException {
        VersionStore next;
        try {
            next = VersionStore.open(dir.version(version), false);
        } catch (RocksDBException e) {
            if (Damage.isBusy(e)) {
                return null; // look again at the next check
            }
            throw e;
        }
        String refused = !next.complete() ? "whose build did not finish (it never validated)"
                : next.partitions() != partitions.count() ? "built over " + next.partitions() + " partitions, not "
                + partitions.count() : null;
        if (refused == null) {
            return next;
        }
        next.close();
        if (!version.equals(refusedVersion)) {
            refusedVersion = version;
            LOG.error("projection {}: CURRENT names {}, {}: {} stays live",
                    projection.name(), version, refused, published.liveVersion());
        }
        return null;
    }

    /** Runs a query on a snapshot of the live version; a swap meanwhile does not disturb it. */
    <T> T read(Function<SnapshotState, T> query) {
        while (true) {
            VersionStore store = published.live();
            if (store == null) {
                throw new ProjectionException(unavailable());
            }
            if (store.acquire()) {
                try (SnapshotState snapshot = store.snapshot()) {
                    return query.apply(snapshot);
                } finally {
                    store.release();
                }
            }
        }
    }

    /** Waits until {@code partition}'s checkpoint is at or past {@code globalSeq}. */
    boolean awaitPosition(int partition, long globalSeq, long timeoutNanos) throws InterruptedException {
        return published.await(() -> published.positions()[partition] >= globalSeq, timeoutNanos);
    }


    /** Waits until the live version is {@code version}; asks the runner to look at CURRENT at once. */
    boolean awaitLive(String version, long timeoutNanos) throws InterruptedException {
        checkCurrentNow = true;
        LockSupport.unpark(thread);
        return published.await(() -> version.equals(published.liveVersion()), timeoutNanos);
    }

    /**
     * Reads every block of the live version from disk. Damage is handed to the runner thread, which
     * quarantines the version and rebuilds; this waits for that and returns what was found.
     */
    ScrubResult scrub(long timeoutNanos) throws InterruptedException {
        VersionStore store = published.live();
        if (store == null || !store.acquire()) {
            throw new ProjectionException(unavailable());
        }
        try {
            store.verifyChecksums();
            return new ScrubResult(projection.name(), store.name(), false, "every block's checksum reads back", store.name());
        } catch (RocksDBException e) {
            if (!Damage.isDamage(e)) {
                throw new ProjectionException("checking " + store.dir() + " failed: " + e.getMessage(), e);
            }
            damageFoundByScrub = e;
        } finally {
            store.release();
        }
        LockSupport.unpark(thread);
        String damaged = store.name();
        if (!published.await(() -> published.liveVersion() != null && !damaged.equals(published.liveVersion()),
                timeoutNanos)) {
            Throwable cause = published.failure();
            throw new ProjectionException("projection " + projection.name() + " is damaged (" + damaged
                    + ") and was not rebuilt in time" + (cause != null ? ": " + cause : ""), cause);
        }
        return new ScrubResult(projection.name(), damaged, true, versions.lastQuarantine(), published.liveVersion());
    }

    ProjectionStatus status() {
        return published.status(projection.name(), partitions.heads());
    }

    String liveVersion() {
        return published.liveVersion();
    }

    Throwable failure() {
        return published.failure();
    }

    void close() {
        published.closing();
        if (thread != null) {
            LockSupport.unpark(thread);
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (applier != null) {
            applier.close();
        }
        VersionStore store = published.live();
        published.live(null);
        if (store != null) {
            store.close();
        }
        published.wakeWaiters();
    }

    private void onStorageFailure(RocksDBException e) {
        if (Damage.isNoSpace(e)) {
            awaitSpace(e);
            return;
        }
        if (!Damage.isDamage(e)) {
            fail(e);
            return;
        }
        try {
            repair(e);
        } catch (RuntimeException repairFailure) {
            repairFailure.addSuppressed(e);
            fail(repairFailure);
        }
    }

    /**
     * The disk is full: FAILED (status and readiness say so) until the live version reopens, tried
     * with a growing pause; RocksDB writes nothing more after ENOSPC until it is reopened.
     */
    private void awaitSpace(RocksDBException full) {
        published.failed(full);
        LOG.error("projection {} stopped at global_seq {}: the disk is full ({}); it goes on by itself once there is room",
                projection.name(), Partitions.format(published.positions()), full.getMessage());
        Backoff retry = new Backoff(NO_SPACE_FIRST_PAUSE_NANOS, NO_SPACE_MAX_PAUSE_NANOS);
        while (!published.closed()) {
            retry.idle(0);
            if (published.closed()) {
                return;
            }
            try {
                reopenLive();
                published.recovered();
                LOG.info("projection {}: disk space is back; going on from global_seq {}", projection.name(),
                        Partitions.format(published.positions()));
                return;
            } catch (RocksDBException e) {
                if (!Damage.isNoSpace(e)) {
                    fail(e);
                    return;
                }
            }
        }
    }

    private void reopenLive() throws RocksDBException {
        VersionStore full = published.live();
        if (applier != null) {
            applier.close();
            applier = null;
        }
        if (full != null) {
            published.live(null);
            full.close(); // one process may open a version once
        }
        String version = full != null ? full.name() : dir.current().orElseThrow();
        install(VersionStore.open(dir.version(version), false));
    }

    private void repair(RocksDBException cause) {
        published.state(ProjectionStatus.State.REBUILDING);
        VersionStore damaged = published.live();
        published.live(null);
        applier.close();
        damaged.close();
        install(versions.replaceDamaged(damaged.name(), cause));
    }

    private static RocksDBException rocksCause(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof RocksDBException rocks) {
                return rocks;
            }
        }
        return null;
    }

    private void install(VersionStore store) {
        if (applier != null) {
            applier.close();
        }
        applier = new Applier(partitions, projection, store);
        published.live(store);
        published.state(ProjectionStatus.State.CATCHING_UP);
        publishProgress();
    }

    private void publishProgress() {
        published.advanced(applier.nextSeqs(), applier.applied());
    }

    private void fail(Throwable e) {
        published.failed(e);
        LOG.error("projection {} stopped at global_seq {}: {}", projection.name(), Partitions.format(published.positions()), e.toString(), e);
    }

    private String unavailable() {
        Throwable cause = published.failure();
        return "projection " + projection.name() + " is not available" + (published.closed() ? ": the engine is closed"
                : cause != null ? ": it stopped on " + cause : ": it is being rebuilt after damage");
    }
}
