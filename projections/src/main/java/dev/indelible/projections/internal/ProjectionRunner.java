package dev.indelible.projections.internal;

import dev.indelible.ledger.Ledger;
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
 * <p>Thread-safe: one runner thread writes; any thread may query or ask for status.
 */
final class ProjectionRunner implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(ProjectionRunner.class);
    private static final long CHECK_CURRENT_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long MAX_IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    private static final long NO_SPACE_FIRST_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    private static final long NO_SPACE_MAX_PAUSE_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final Ledger ledger;
    private final Projection projection;
    private final ProjectionDir dir;
    private final EngineConfig config;
    private final Clock clock;
    private final OpsRecorder ops;
    private final Object progress = new Object();
    private volatile VersionStore live;
    private volatile ProjectionStatus.State state = ProjectionStatus.State.CATCHING_UP;
    private volatile Throwable failure;
    private volatile boolean closed;
    private volatile boolean checkNow;
    private volatile RocksDBException damageFound;
    private volatile String lastQuarantine;
    private String refusedVersion; // the unfinished version CURRENT named, logged once
    private volatile long position;
    private volatile long applied;
    private Applier applier;
    private Thread thread;

    ProjectionRunner(Ledger ledger, Projection projection, Path projectionsDir, EngineConfig config, Clock clock,
                     OpsRecorder ops) {
        this.ops = ops;
        this.ledger = ledger;
        this.projection = projection;
        this.dir = new ProjectionDir(projectionsDir, projection.name());
        this.config = config;
        this.clock = clock;
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
        Optional<String> current = dir.current();
        if (current.isPresent() && java.nio.file.Files.isDirectory(dir.version(current.get()))) {
            try {
                VersionStore store = openVerified(current.get());
                if (!store.complete()) {
                    store.close();
                    quarantineUnfinished(current.get());
                } else if (store.codeVersion() == projection.version()) {
                    install(store);
                    return;
                } else {
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
        try (RebuildLock lock = RebuildLock.acquire(dir)) {
            Rebuilder.build(ledger, dir, projection, config);
        }
        install(openOrFail(dir.current().orElseThrow()));
    }

    /**
     * Opens the live version for reading only, without its lock: another process (the server, an
     * engine) owns and follows it; this sees it as of now and never writes.
     */
    void openReadOnly() {
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
            live = store;
            position = store.nextSeq();
            applied = store.applied();
            state = ProjectionStatus.State.READ_ONLY;
        } catch (RocksDBException e) {
            throw new ProjectionException("cannot read projection " + projection.name() + " at " + dir.version(current)
                    + ": " + e.getMessage(), e);
        }
    }

    void start() {
        thread = new Thread(this, "indelible-projection-" + projection.name());
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void run() {
        long nextCheck = System.nanoTime() + CHECK_CURRENT_NANOS;
        long idle = 0;
        while (!closed) {
            try {
                RocksDBException damage = damageFound;
                if (damage != null) {
                    damageFound = null;
                    onStorageFailure(damage);
                    continue;
                }
                if (checkNow || System.nanoTime() - nextCheck >= 0) {
                    checkNow = false;
                    nextCheck = System.nanoTime() + CHECK_CURRENT_NANOS;
                    adoptIfChanged();
                }
                int n = applier.step(config.batchEvents());
                if (n > 0) {
                    publishProgress();
                    idle = 0;
                } else {
                    state = ProjectionStatus.State.LIVE;
                    idle = Math.min(MAX_IDLE_PARK_NANOS, Math.max(50_000, idle * 2));
                    LockSupport.parkNanos(idle);
                }
            } catch (RocksDBException e) {
                onStorageFailure(e);
            } catch (RuntimeException | Error e) {
                RocksDBException storage = rocksCause(e);
                if (storage != null) {
                    onStorageFailure(storage);
                } else if (!closed) {
                    fail(e);
                }
            }
            if (state == ProjectionStatus.State.FAILED) {
                return;
            }
        }
    }

    /** Runs a query on a snapshot of the live version; a swap meanwhile does not disturb it. */
    <T> T read(Function<SnapshotState, T> query) {
        while (true) {
            VersionStore store = live;
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

    boolean awaitPosition(long globalSeq, long timeoutNanos) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        synchronized (progress) {
            while (position < globalSeq) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || state == ProjectionStatus.State.FAILED || closed) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(progress, Math.min(left, CHECK_CURRENT_NANOS));
            }
            return true;
        }
    }

    /** Waits until the live version is {@code version}; asks the runner to look at CURRENT at once. */
    boolean awaitLive(String version, long timeoutNanos) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        checkNow = true;
        LockSupport.unpark(thread);
        synchronized (progress) {
            while (live == null || !live.name().equals(version)) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || state == ProjectionStatus.State.FAILED || closed) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(progress, Math.min(left, CHECK_CURRENT_NANOS));
            }
            return true;
        }
    }

    ProjectionStatus status() {
        VersionStore store = live;
        long head = ledger.head();
        return new ProjectionStatus(projection.name(), store == null ? null : store.name(), position,
                Math.max(0, head - position), applied, closed ? ProjectionStatus.State.CLOSED : state);
    }

    String liveVersion() {
        VersionStore store = live;
        return store == null ? null : store.name();
    }

    Throwable failure() {
        return failure;
    }

    void close() {
        closed = true;
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
        VersionStore store = live;
        live = null;
        if (store != null) {
            store.close();
        }
        synchronized (progress) {
            progress.notifyAll();
        }
    }

    private void adoptIfChanged() throws RocksDBException {
        Optional<String> current = dir.current();
        if (current.isEmpty() || current.get().equals(live.name())) {
            return;
        }
        VersionStore next;
        try {
            next = VersionStore.open(dir.version(current.get()), false);
        } catch (RocksDBException e) {
            if (Damage.isBusy(e)) {
                return; // its builder still has it open: look again at the next check
            }
            throw e;
        }
        if (!next.complete()) {
            next.close();
            if (!current.get().equals(refusedVersion)) {
                refusedVersion = current.get();
                LOG.error("projection {}: CURRENT names {}, whose build did not finish (it never validated): {} stays live",
                        projection.name(), current.get(), live.name());
            }
            return;
        }
        Applier nextApplier = new Applier(ledger, projection, next);
        try {
            nextApplier.catchUpTo(Math.max(position, ledger.head()), config.batchEvents());
        } catch (RocksDBException | RuntimeException e) {
            nextApplier.close();
            next.close();
            throw e;
        }
        VersionStore previous = live;
        dir.prune(config.keepVersions(), next.name()); // before the swap: who waits for it sees the pruned directory
        applier.close();
        applier = nextApplier;
        live = next;
        previous.close();
        LOG.info("projection {}: {} is live (was {})", projection.name(), next.name(), previous.name());
        publishProgress();
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
        markFailed(full);
        LOG.error("projection {} stopped at global_seq {}: the disk is full ({}); it goes on by itself once there is room",
                projection.name(), position, full.getMessage());
        long pause = NO_SPACE_FIRST_PAUSE_NANOS;
        while (!closed) {
            LockSupport.parkNanos(pause);
            if (closed) {
                return;
            }
            try {
                reopenLive();
                failure = null;
                LOG.info("projection {}: disk space is back; going on from global_seq {}", projection.name(), position);
                return;
            } catch (RocksDBException e) {
                if (!Damage.isNoSpace(e)) {
                    fail(e);
                    return;
                }
                pause = Math.min(NO_SPACE_MAX_PAUSE_NANOS, pause * 2);
            }
        }
    }

    private void reopenLive() throws RocksDBException {
        VersionStore full = live;
        if (applier != null) {
            applier.close();
            applier = null;
        }
        if (full != null) {
            live = null;
            full.close(); // one process may open a version once
        }
        String version = full != null ? full.name() : dir.current().orElseThrow();
        install(VersionStore.open(dir.version(version), false));
    }

    private static RocksDBException rocksCause(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof RocksDBException rocks) {
                return rocks;
            }
        }
        return null;
    }

    /**
     * Reads every block of the live version from disk. Damage is handed to the runner thread, which
     * quarantines the version and rebuilds; this waits for that and returns what was found.
     */
    ScrubResult scrub(long timeoutNanos) throws InterruptedException {
        VersionStore store = live;
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
            damageFound = e;
        } finally {
            store.release();
        }
        LockSupport.unpark(thread);
        long deadline = System.nanoTime() + timeoutNanos;
        synchronized (progress) {
            while (live == null || live.name().equals(store.name())) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || state == ProjectionStatus.State.FAILED || closed) {
                    throw new ProjectionException("projection " + projection.name() + " is damaged (" + store.name()
                            + ") and was not rebuilt in time" + (failure != null ? ": " + failure : ""), failure);
                }
                TimeUnit.NANOSECONDS.timedWait(progress, Math.min(left, CHECK_CURRENT_NANOS));
            }
            return new ScrubResult(projection.name(), store.name(), true, lastQuarantine, live.name());
        }
    }

    private void repair(RocksDBException cause) {
        state = ProjectionStatus.State.REBUILDING;
        VersionStore damaged = live;
        live = null;
        applier.close();
        damaged.close();
        quarantine(damaged.name(), cause);
        try (RebuildLock lock = RebuildLock.acquire(dir)) {
            Rebuilder.build(ledger, dir, projection, config);
        }
        install(openOrFail(dir.current().orElseThrow()));
    }

    private void quarantine(String version, RocksDBException cause) {
        java.time.Instant started = clock.instant();
        Path moved = dir.quarantine(version, clock);
        lastQuarantine = version + " is damaged (" + cause.getMessage() + "); moved to " + moved + " and rebuilt";
        LOG.warn("projection {}: {} is damaged ({}); moved to {} and rebuilding from the journal",
                projection.name(), version, cause.getMessage(), moved);
        ops.record("quarantine", projection.name(), started, "ok",
                java.util.Map.of("version", version, "moved_to", moved.toString(), "cause", String.valueOf(cause.getMessage())));
    }

    /** CURRENT names a version that never validated (only a bug or a hand could do that): kept aside, never live. */
    private void quarantineUnfinished(String version) {
        java.time.Instant started = clock.instant();
        Path moved = dir.quarantine(version, clock);
        LOG.error("projection {}: the live version {} did not finish its build (it never validated); moved to {}"
                + " and rebuilding from the journal", projection.name(), version, moved);
        ops.record("quarantine", projection.name(), started, "ok", java.util.Map.of("version", version,
                "moved_to", moved.toString(), "cause", "its build did not finish: it never validated"));
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

    private VersionStore openOrFail(String version) {
        try {
            return VersionStore.open(dir.version(version), false);
        } catch (RocksDBException e) {
            throw openFailure(version, e);
        }
    }

    private ProjectionException openFailure(String version, RocksDBException e) {
        String where = "cannot open projection " + projection.name() + " at " + dir.version(version) + ": ";
        return Damage.isBusy(e)
                ? new dev.indelible.projections.ProjectionInUseException(where + "it is open in another process (one engine per projection directory)", e)
                : new ProjectionException(where + e.getMessage(), e);
    }

    private void install(VersionStore store) {
        if (applier != null) {
            applier.close();
        }
        applier = new Applier(ledger, projection, store);
        live = store;
        state = ProjectionStatus.State.CATCHING_UP;
        publishProgress();
    }

    private void publishProgress() {
        position = applier.nextSeq();
        applied = applier.applied();
        synchronized (progress) {
            progress.notifyAll();
        }
    }

    private void fail(Throwable e) {
        markFailed(e);
        LOG.error("projection {} stopped at global_seq {}: {}", projection.name(), position, e.toString(), e);
    }

    /** FAILED for status, readiness and every waiter, with its cause. */
    private void markFailed(Throwable e) {
        failure = e;
        state = ProjectionStatus.State.FAILED;
        synchronized (progress) {
            progress.notifyAll();
        }
    }

    private String unavailable() {
        Throwable cause = failure;
        return "projection " + projection.name() + " is not available" + (closed ? ": the engine is closed"
                : cause != null ? ": it stopped on " + cause : ": it is being rebuilt after damage");
    }
}
