package dev.indelible.projections.internal;

import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.Operations;
import dev.indelible.projections.RebuildResult;
import dev.indelible.projections.RollbackResult;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the engine did to a projection, journaled through {@link Operations} on {@code ops-projection-<name>}:
 * over a partitioned journal, in partition 0 ({@link Partitions#opsLedger}).
 */
final class OpsRecorder {

    private final Ledger ledger;

    OpsRecorder(Partitions partitions) {
        this.ledger = partitions.opsLedger();
    }

    void record(String operation, String projection, Instant startedAt, String result, Map<String, String> figures) {
        Operations.record(ledger, operation, "projection-" + projection, operation + " of projection " + projection,
                startedAt, result, figures);
    }

    /** {@code ops.replay}: both versions and digests, the events read and the time taken, and {@code audit}: who asked. */
    void replayed(Instant startedAt, RebuildResult result, Map<String, String> audit) {
        Map<String, String> figures = new TreeMap<>(audit);
        figures.putAll(Map.of("new_version", result.newVersion(),
                "new_digest", result.newDigest(), "events", Long.toString(result.events()),
                "applied", Long.toString(result.applied()), "took_ms", Long.toString(result.took().toMillis())));
        if (result.previousVersion() != null) {
            figures.put("previous_version", result.previousVersion());
            figures.put("previous_digest", String.valueOf(result.previousDigest()));
        }
        discarded(figures, result.discardedUnfinished());
        record("replay", result.projection(), startedAt, "ok", figures);
    }

    /** {@code ops.rollback}: from which version to which, and {@code audit}: who asked. */
    void rolledBack(Instant startedAt, RollbackResult result, Map<String, String> audit) {
        Map<String, String> figures = new TreeMap<>(audit);
        figures.putAll(Map.of("from_version", String.valueOf(result.fromVersion()),
                "to_version", result.toVersion()));
        discarded(figures, result.discardedUnfinished());
        record("rollback", result.projection(), startedAt, "ok", figures);
    }

    private static void discarded(Map<String, String> figures, List<String> unfinished) {
        if (!unfinished.isEmpty()) {
            figures.put("discarded_unfinished", String.join(",", unfinished));
        }
    }

    static String host() {
        return Operations.host();
    }
}
