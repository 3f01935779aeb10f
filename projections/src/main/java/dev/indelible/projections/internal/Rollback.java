package dev.indelible.projections.internal;

import dev.indelible.projections.ProjectionException;
import dev.indelible.projections.RollbackResult;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Points a projection's CURRENT back at the newest other version that completed its build: the one
 * rollback, for a running engine and for the offline tools.
 *
 * <p>Stateless; the rebuild lock it takes keeps two rollbacks or a rollback and a rebuild apart.
 */
final class Rollback {

    private Rollback() {
    }

    /**
     * Rolls back under the rebuild lock and journals {@code ops.rollback}.
     *
     * @param audit     who asked, added to the event's figures
     * @param live      the version live now, read under the lock
     * @param untilLive called after the swap, still under the lock: a running engine waits there for
     *                  its runner to adopt the version; without one there is nothing to wait for
     */
    static RollbackResult run(ProjectionDir dir, OpsRecorder ops, Map<String, String> audit, Supplier<String> live,
                              Consumer<String> untilLive) {
        Instant started = Instant.now();
        try (RebuildLock lock = RebuildLock.acquire(dir)) {
            RollbackResult result = target(dir, live.get());
            dir.setCurrent(result.toVersion());
            untilLive.accept(result.toVersion());
            ops.rolledBack(started, result, audit);
            return result;
        }
    }

    /**
     * The newest version other than the live one that completed its build's validation. Builds that
     * did not finish are never a target whatever their number; they are deleted here (the caller holds
     * the rebuild lock, so none of them is running) and reported.
     */
    private static RollbackResult target(ProjectionDir dir, String live) {
        List<String> discarded = dir.deleteUnfinished();
        String target = dir.versions().stream()
                .filter(v -> !v.equals(live) && ProjectionDir.completion(dir.version(v)) == ProjectionDir.Completion.COMPLETE)
                .findFirst()
                .orElseThrow(() -> new ProjectionException("cannot roll back projection " + dir.projection()
                        + ": it has no previous version that completed its build to roll back to"
                        + (discarded.isEmpty() ? "" : " (" + String.join(", ", discarded)
                        + (discarded.size() == 1 ? " was a build" : " were builds")
                        + " that did not finish, killed or failed before validating: deleted)")
                        + "; " + live + " stays live"));
        return new RollbackResult(dir.projection(), live, target, discarded);
    }
}
