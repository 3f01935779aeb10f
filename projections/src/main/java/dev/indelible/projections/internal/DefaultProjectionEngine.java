package dev.indelible.projections.internal;

import dev.indelible.ledger.Ledger;
import dev.indelible.projections.EngineConfig;
import dev.indelible.projections.Projection;
import dev.indelible.projections.ProjectionEngine;
import dev.indelible.projections.ProjectionException;
import dev.indelible.projections.ProjectionState;
import dev.indelible.projections.ProjectionStatus;
import dev.indelible.projections.ProjectionVersions;
import dev.indelible.projections.RebuildListener;
import dev.indelible.projections.RebuildResult;
import dev.indelible.projections.RollbackResult;
import dev.indelible.projections.ScrubResult;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/** The engine behind {@link ProjectionEngine}: one {@link ProjectionRunner} per projection. */
public final class DefaultProjectionEngine implements ProjectionEngine {

    private static final long SWAP_TIMEOUT_NANOS = Duration.ofMinutes(10).toNanos();

    private final Partitions partitions;
    private final EngineConfig config;
    private final Map<String, ProjectionRunner> runners;
    private final OpsRecorder ops;
    private final boolean readOnly;

    private DefaultProjectionEngine(Partitions partitions, EngineConfig config, Map<String, ProjectionRunner> runners,
                                    boolean readOnly) {
        this.partitions = partitions;
        this.ops = new OpsRecorder(partitions);
        this.readOnly = readOnly;
        this.config = config;
        this.runners = runners;
    }

    public static ProjectionEngine start(List<Ledger> ledgers, Path dir, List<Projection> projections, EngineConfig config) {
        Partitions partitions = Partitions.of(ledgers);
        ProjectionDir.createRoot(dir);
        Map<String, ProjectionRunner> runners = openAll(partitions, dir, projections, config, ProjectionRunner::open);
        runners.values().forEach(ProjectionRunner::start);
        return new DefaultProjectionEngine(partitions, config, runners, false);
    }

    /** An engine that only reads the live versions another process owns; see {@link ProjectionEngine#openReadOnly}. */
    public static ProjectionEngine openReadOnly(List<Ledger> ledgers, Path dir, List<Projection> projections) {
        Partitions partitions = Partitions.of(ledgers);
        EngineConfig config = EngineConfig.defaults();
        return new DefaultProjectionEngine(partitions, config,
                openAll(partitions, dir, projections, config, ProjectionRunner::openReadOnly), true);
    }

    /** A runner per projection, each opened by {@code open}: all of them, or none (those opened are closed again). */
    private static Map<String, ProjectionRunner> openAll(Partitions partitions, Path dir, List<Projection> projections,
                                                         EngineConfig config, Consumer<ProjectionRunner> open) {
        OpsRecorder ops = new OpsRecorder(partitions);
        Map<String, ProjectionRunner> runners = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, Projection> named : ProjectionDir.byName(projections).entrySet()) {
                ProjectionRunner runner = new ProjectionRunner(partitions, named.getValue(), dir, config,
                        Clock.systemUTC(), ops);
                open.accept(runner);
                runners.put(named.getKey(), runner);
            }
        } catch (RuntimeException e) {
            runners.values().forEach(ProjectionRunner::close);
            throw e;
        }
        return runners;
    }

    @Override
    public <T> T read(String projection, Function<ProjectionState, T> query) {
        return runner(projection).read(query::apply);
    }

    @Override
    public boolean awaitPosition(String projection, long globalSeq, Duration timeout) {
        if (partitions.count() != 1) {
            throw new IllegalArgumentException("projection " + projection + " follows " + partitions.count()
                    + " partitions: give the partition, awaitPosition(projection, partition, globalSeq, timeout)");
        }
        return awaitPosition(projection, 0, globalSeq, timeout);
    }

    @Override
    public boolean awaitPosition(String projection, int partition, long globalSeq, Duration timeout) {
        if (partition < 0 || partition >= partitions.count()) {
            throw new IllegalArgumentException("partition must be 0 to " + (partitions.count() - 1) + ": " + partition);
        }
        try {
            return runner(projection).awaitPosition(partition, globalSeq, timeout.toNanos());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public boolean awaitCaughtUp(Duration timeout) {
        return awaitHeads(runners.keySet(), timeout);
    }

    @Override
    public boolean awaitCaughtUp(String projection, Duration timeout) {
        runner(projection);
        return awaitHeads(List.of(projection), timeout);
    }

    /** Waits until each of {@code projections} reached every partition's head as it is now. */
    private boolean awaitHeads(Iterable<String> projections, Duration timeout) {
        long[] targets = partitions.heads();
        long deadline = System.nanoTime() + timeout.toNanos();
        for (String name : projections) {
            for (int p = 0; p < targets.length; p++) {
                if (!awaitPosition(name, p, targets[p], Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
                    return false;
                }
            }
        }
        return true;
    }

    @Override
    public ProjectionStatus status(String projection) {
        return runner(projection).status();
    }

    @Override
    public List<ProjectionStatus> status() {
        return runners.values().stream().map(ProjectionRunner::status).toList();
    }

    @Override
    public RebuildResult rebuild(String projection, RebuildListener progress, Map<String, String> audit) {
        ProjectionRunner runner = writable(projection);
        Instant started = Instant.now();
        try (RebuildLock lock = RebuildLock.acquire(runner.dir())) {
            String previous = runner.liveVersion();
            String previousDigest = previous == null ? null : digest(projection);
            Rebuilder.Built built = Rebuilder.build(partitions, runner.dir(), runner.projection(), config, progress);
            awaitLive(runner, built.version());
            RebuildResult result = built.result(projection, previous, previousDigest);
            ops.replayed(started, result, audit);
            return result;
        }
    }

    @Override
    public RollbackResult rollback(String projection, Map<String, String> audit) {
        ProjectionRunner runner = writable(projection);
        return Rollback.run(runner.dir(), ops, audit, runner::liveVersion, version -> awaitLive(runner, version));
    }

    @Override
    public ProjectionVersions versions(String projection) {
        ProjectionRunner runner = runner(projection);
        return runner.dir().onDisk(runner.liveVersion(), runner.status().position(), runner.status().eventsApplied());
    }

    @Override
    public ScrubResult scrub(String projection) {
        try {
            return writable(projection).scrub(SWAP_TIMEOUT_NANOS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProjectionException("interrupted while scrubbing " + projection, e);
        }
    }

    @Override
    public String digest(String projection) {
        return runner(projection).read(VersionDigest::of);
    }

    @Override
    public void close() {
        runners.values().forEach(ProjectionRunner::close);
    }

    private static void awaitLive(ProjectionRunner runner, String version) {
        try {
            if (!runner.awaitLive(version, SWAP_TIMEOUT_NANOS)) {
                Throwable failure = runner.failure();
                throw new ProjectionException("projection " + runner.projection().name() + " did not switch to " + version
                        + (failure != null ? ": " + failure : " in time"), failure);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProjectionException("interrupted while waiting for " + version + " to go live", e);
        }
    }

    private ProjectionRunner writable(String projection) {
        if (readOnly) {
            throw new ProjectionException("this engine only reads " + projection + ", which another process runs;"
                    + " rebuild it with OfflineProjections.rebuild(ledger, dir, projection, listener)");
        }
        return runner(projection);
    }

    private ProjectionRunner runner(String projection) {
        ProjectionRunner runner = runners.get(projection);
        if (runner == null) {
            throw new IllegalArgumentException("no projection named " + projection + " (known: " + runners.keySet() + ")");
        }
        return runner;
    }
}
