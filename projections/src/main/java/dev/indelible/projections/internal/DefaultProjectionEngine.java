package dev.indelible.projections.internal;

import dev.indelible.ledger.Ledger;
import dev.indelible.projections.EngineConfig;
import dev.indelible.projections.Projection;
import dev.indelible.projections.ProjectionEngine;
import dev.indelible.projections.ProjectionException;
import dev.indelible.projections.ProjectionState;
import dev.indelible.projections.ProjectionStatus;
import dev.indelible.projections.RebuildListener;
import dev.indelible.projections.RebuildResult;
import dev.indelible.projections.RollbackResult;
import dev.indelible.projections.ScrubResult;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Pattern;

/** The engine behind {@link ProjectionEngine}: one {@link ProjectionRunner} per projection. */
public final class DefaultProjectionEngine implements ProjectionEngine {

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");
    private static final long SWAP_TIMEOUT_NANOS = Duration.ofMinutes(10).toNanos();

    private final Ledger ledger;
    private final EngineConfig config;
    private final Map<String, ProjectionRunner> runners;
    private final OpsRecorder ops;
    private final boolean readOnly;

    private DefaultProjectionEngine(Ledger ledger, EngineConfig config, Map<String, ProjectionRunner> runners,
                                    OpsRecorder ops, boolean readOnly) {
        this.ledger = ledger;
        this.ops = ops;
        this.readOnly = readOnly;
        this.config = config;
        this.runners = runners;
    }

    public static ProjectionEngine start(Ledger ledger, Path dir, List<Projection> projections, EngineConfig config) {
        createPrivate(dir);
        OpsRecorder ops = new OpsRecorder(ledger);
        Map<String, ProjectionRunner> runners = runners(ledger, dir, projections, config, ops);
        List<ProjectionRunner> opened = new ArrayList<>();
        try {
            for (ProjectionRunner runner : runners.values()) {
                runner.open();
                opened.add(runner);
            }
        } catch (RuntimeException e) {
            opened.forEach(ProjectionRunner::close);
            throw e;
        }
        runners.values().forEach(ProjectionRunner::start);
        return new DefaultProjectionEngine(ledger, config, runners, ops, false);
    }

    /** An engine that only reads the live versions another process owns; see {@link ProjectionEngine#openReadOnly}. */
    public static ProjectionEngine openReadOnly(Ledger ledger, Path dir, List<Projection> projections) {
        EngineConfig config = EngineConfig.defaults();
        OpsRecorder ops = new OpsRecorder(ledger);
        Map<String, ProjectionRunner> runners = runners(ledger, dir, projections, config, ops);
        List<ProjectionRunner> opened = new ArrayList<>();
        try {
            for (ProjectionRunner runner : runners.values()) {
                runner.openReadOnly();
                opened.add(runner);
            }
        } catch (RuntimeException e) {
            opened.forEach(ProjectionRunner::close);
            throw e;
        }
        return new DefaultProjectionEngine(ledger, config, runners, ops, true);
    }

    /** Rebuilds projections without running them: see {@link ProjectionEngine#rebuild(Ledger, Path, List, RebuildListener)}. */
    public static List<RebuildResult> rebuildOffline(Ledger ledger, Path dir, List<Projection> projections,
                                                     RebuildListener progress) {
        createPrivate(dir);
        List<ProjectionDir> dirs = new ArrayList<>();
        for (Projection projection : projections) {
            ProjectionDir pdir = new ProjectionDir(dir, checkName(projection.name()));
            if (dirs.stream().anyMatch(d -> d.projection().equals(pdir.projection()))) {
                throw new IllegalArgumentException("projection " + projection.name() + " is named twice");
            }
            dirs.add(pdir);
        }
        Instant started = Instant.now();
        List<RebuildLock> locks = new ArrayList<>();
        ExecutorService digester = Executors.newSingleThreadExecutor(DaemonThreads.named("indelible-previous-digest"));
        List<CompletableFuture<String>> previousDigests = new ArrayList<>();
        try {
            List<String> previous = new ArrayList<>();
            for (ProjectionDir pdir : dirs) {
                locks.add(RebuildLock.acquire(pdir));
                String live = pdir.current().filter(v -> Files.isDirectory(pdir.version(v))).orElse(null);
                previous.add(live);
                // Read while the new versions are built: the locks keep anyone from changing them.
                previousDigests.add(live == null ? CompletableFuture.completedFuture(null)
                        : CompletableFuture.supplyAsync(() -> readOnlyDigest(pdir.version(live)), digester));
            }
            List<Rebuilder.Built> built = Rebuilder.buildAll(ledger, dirs, projections, EngineConfig.defaults(), progress, -1);
            OpsRecorder ops = new OpsRecorder(ledger);
            List<RebuildResult> results = new ArrayList<>();
            for (int i = 0; i < dirs.size(); i++) {
                String previousDigest = previousDigests.get(i).join();
                dirs.get(i).prune(EngineConfig.defaults().keepVersions(), built.get(i).version());
                results.add(recordReplay(ops, projections.get(i).name(), started, previous.get(i),
                        previousDigest, built.get(i)));
            }
            return results;
        } finally {
            previousDigests.forEach(digest -> digest.cancel(false)); // after a failure: only a running one goes on
            digester.shutdown();
            awaitTermination(digester); // no version is unlocked while its digest is being read
            locks.forEach(RebuildLock::close);
        }
    }

    /** Builds the projection up to {@code upTo} in a scratch directory, returns its digest and deletes it. */
    public static String digestFromScratch(Ledger ledger, Path dir, Projection projection, long upTo,
                                           RebuildListener progress) {
        Path scratch = dir.resolve(".scratch").resolve(checkName(projection.name()) + "-" + ProcessHandle.current().pid()
                + "-" + System.nanoTime());
        try {
            ProjectionDir pdir = new ProjectionDir(scratch.getParent(), scratch.getFileName().toString());
            return Rebuilder.build(ledger, pdir, projection, EngineConfig.defaults(), progress, upTo).digest();
        } finally {
            ProjectionDir.deleteTree(scratch);
        }
    }

    /** Points CURRENT back at the previous version that completed its build, without running it. */
    public static RollbackResult rollbackOffline(Ledger ledger, Path dir, String projection) {
        ProjectionDir pdir = new ProjectionDir(dir, checkName(projection));
        Instant started = Instant.now();
        try (RebuildLock lock = RebuildLock.acquire(pdir)) {
            String live = pdir.current().orElse(null);
            RollbackResult result = rollbackTarget(pdir, live);
            pdir.setCurrent(result.toVersion());
            recordRollback(new OpsRecorder(ledger), started, result);
            return result;
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
        } catch (org.rocksdb.RocksDBException e) {
            return "unreadable (" + e.getMessage() + ")";
        }
    }

    /**
     * Where a rollback goes: the newest version other than the live one that completed its build's
     * validation. Builds that did not finish are never a target whatever their number; they are
     * deleted here (the caller holds the rebuild lock, so none of them is running) and reported.
     */
    private static RollbackResult rollbackTarget(ProjectionDir dir, String live) {
        List<String> discarded = dir.deleteUnfinished();
        String target = dir.versions().stream()
                .filter(v -> !v.equals(live) && ProjectionDir.completion(dir.version(v)) == ProjectionDir.Completion.COMPLETE)
                .findFirst()
                .orElseThrow(() -> new ProjectionException("cannot roll back projection " + dir.projection()
                        + ": it has no previous version that completed its build to roll back to"
                        + (discarded.isEmpty() ? "" : " (" + String.join(", ", discarded)
                        + (discarded.size() == 1 ? " was a build" : " were builds")
                        + " that did not finish, killed or failed before validating: deleted)")
                        + "; " + String.valueOf(live) + " stays live"));
        return new RollbackResult(dir.projection(), live, target, discarded);
    }

    private static void recordRollback(OpsRecorder ops, Instant started, RollbackResult result) {
        Map<String, String> figures = new java.util.TreeMap<>(Map.of("from_version", String.valueOf(result.fromVersion()),
                "to_version", result.toVersion()));
        if (!result.discardedUnfinished().isEmpty()) {
            figures.put("discarded_unfinished", String.join(",", result.discardedUnfinished()));
        }
        ops.record("rollback", result.projection(), started, "ok", figures);
    }

    private static RebuildResult recordReplay(OpsRecorder ops, String projection, Instant started, String previous,
                                              String previousDigest, Rebuilder.Built built) {
        RebuildResult result = new RebuildResult(projection, previous, previousDigest, built.version(),
                built.digest(), built.events(), built.applied(), built.took(), built.discarded());
        Map<String, String> figures = new java.util.TreeMap<>(Map.of("new_version", built.version(),
                "new_digest", built.digest(), "events", Long.toString(built.events()),
                "applied", Long.toString(built.applied()), "took_ms", Long.toString(built.took().toMillis())));
        if (previous != null) {
            figures.put("previous_version", previous);
            figures.put("previous_digest", String.valueOf(previousDigest));
        }
        if (!built.discarded().isEmpty()) {
            figures.put("discarded_unfinished", String.join(",", built.discarded()));
        }
        ops.record("replay", projection, started, "ok", figures);
        return result;
    }

    private static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("projection name must be 1-64 of [a-z0-9-], starting with a letter or digit: " + name);
        }
        return name;
    }

    private static Map<String, ProjectionRunner> runners(Ledger ledger, Path dir, List<Projection> projections,
                                                         EngineConfig config, OpsRecorder ops) {
        Map<String, ProjectionRunner> runners = new LinkedHashMap<>();
        for (Projection projection : projections) {
            String name = checkName(projection.name());
            if (runners.containsKey(name)) {
                throw new IllegalArgumentException("two projections are named " + name);
            }
            runners.put(name, new ProjectionRunner(ledger, projection, dir, config, Clock.systemUTC(), ops));
        }
        return runners;
    }

    @Override
    public <T> T read(String projection, Function<ProjectionState, T> query) {
        return runner(projection).read(query::apply);
    }

    @Override
    public boolean awaitPosition(String projection, long globalSeq, Duration timeout) {
        try {
            return runner(projection).awaitPosition(globalSeq, timeout.toNanos());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public boolean awaitCaughtUp(Duration timeout) {
        long target = ledger.head();
        long deadline = System.nanoTime() + timeout.toNanos();
        for (String name : runners.keySet()) {
            if (!awaitPosition(name, target, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
                return false;
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
    public RebuildResult rebuild(String projection) {
        ProjectionRunner runner = writable(projection);
        Instant started = Instant.now();
        try (RebuildLock lock = RebuildLock.acquire(runner.dir())) {
            String previous = runner.liveVersion();
            String previousDigest = previous == null ? null : digest(projection);
            Rebuilder.Built built = Rebuilder.build(ledger, runner.dir(), runner.projection(), config);
            awaitLive(runner, built.version());
            return recordReplay(ops, projection, started, previous, previousDigest, built);
        }
    }

    @Override
    public String rollback(String projection) {
        ProjectionRunner runner = writable(projection);
        try (RebuildLock lock = RebuildLock.acquire(runner.dir())) {
            Instant started = Instant.now();
            RollbackResult result = rollbackTarget(runner.dir(), runner.liveVersion());
            runner.dir().setCurrent(result.toVersion());
            awaitLive(runner, result.toVersion());
            recordRollback(ops, started, result);
            return result.toVersion();
        }
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
                    + " rebuild it with ProjectionEngine.rebuild(ledger, dir, projection, listener)");
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

    private static void createPrivate(Path dir) {
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
        } catch (IOException e) {
            throw new ProjectionException("cannot create " + dir + ": " + e.getMessage(), e);
        }
    }
}
