package dev.indelible.projections;

import dev.indelible.ledger.Ledger;
import dev.indelible.projections.internal.DefaultProjectionEngine;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Runs projections over a ledger: each from its checkpoint, catching up and then following the
 * journal live, with versioned rebuilds swapped in atomically.
 *
 * <p>Layout under {@code <projectionsDir>/<name>/}: {@code CURRENT} names the live version directory
 * ({@code v<code version>-<build number>}, a RocksDB database), {@code rebuild.lock} stops a second
 * rebuild, and {@code quarantine/} keeps damaged versions. Nothing under it is ever deleted except
 * versions older than the previous one. {@link OfflineProjections} rebuilds and rolls back without an
 * engine; an engine adopts what they swap in.
 *
 * <p><b>Partitions.</b> An engine follows one ledger, or a journal of P partitions given as P ledgers
 * (partition p at index p, each with its own dense {@code global_seq}): every projection consumes every
 * partition, each partition in its own order and with no order across them, and keeps one checkpoint
 * per partition in the same RocksDB write as its state. One ledger is the case P = 1 and stores the
 * checkpoint as before partitions. A projection directory built over P partitions refuses to open over
 * another count. The engine's {@code ops.*} events (rebuild, rollback, quarantine) go to partition 0.
 *
 * <p>Thread-safe.
 */
public interface ProjectionEngine extends AutoCloseable {

    /** Opens (or creates) every projection's live version and starts following the ledger. */
    static ProjectionEngine start(Ledger ledger, Path projectionsDir, List<Projection> projections) {
        return start(ledger, projectionsDir, projections, EngineConfig.defaults());
    }

    static ProjectionEngine start(Ledger ledger, Path projectionsDir, List<Projection> projections, EngineConfig config) {
        return start(List.of(ledger), projectionsDir, projections, config);
    }

    /** {@link #start(List, Path, List, EngineConfig)} with the default configuration. */
    static ProjectionEngine start(List<Ledger> partitions, Path projectionsDir, List<Projection> projections) {
        return start(partitions, projectionsDir, projections, EngineConfig.defaults());
    }

    /**
     * Opens every projection's live version and starts following every partition of a journal:
     * {@code partitions.get(p)} is partition p's ledger.
     *
     * @throws ProjectionException when a live version was built over another number of partitions
     */
    static ProjectionEngine start(List<Ledger> partitions, Path projectionsDir, List<Projection> projections,
                                  EngineConfig config) {
        return DefaultProjectionEngine.start(partitions, projectionsDir, projections, config);
    }

    /**
     * Opens the live versions for reading only, without following the journal or taking their
     * locks: for a command that queries while another process (the server) runs the engine. Each
     * projection is seen as of the open; rebuild, rollback and scrub are refused.
     */
    static ProjectionEngine openReadOnly(Ledger ledger, Path projectionsDir, List<Projection> projections) {
        return openReadOnly(List.of(ledger), projectionsDir, projections);
    }

    /** {@link #openReadOnly(Ledger, Path, List)} over every partition of a journal, partition p at index p. */
    static ProjectionEngine openReadOnly(List<Ledger> partitions, Path projectionsDir, List<Projection> projections) {
        return DefaultProjectionEngine.openReadOnly(partitions, projectionsDir, projections);
    }

    /**
     * Runs {@code query} on a consistent snapshot of the live version of {@code projection}. A swap
     * during the query does not affect it: it finishes on the version it started on.
     */
    <T> T read(String projection, Function<ProjectionState, T> query);

    /**
     * Waits until {@code projection} has applied every event before {@code globalSeq}; {@code false}
     * when the timeout passed first.
     *
     * @throws IllegalArgumentException over several partitions: use {@link #awaitPosition(String, int, long, Duration)}
     */
    boolean awaitPosition(String projection, long globalSeq, Duration timeout);

    /**
     * Waits until {@code projection} has applied every event of {@code partition} before
     * {@code globalSeq} (that partition's sequence); {@code false} when the timeout passed first.
     */
    boolean awaitPosition(String projection, int partition, long globalSeq, Duration timeout);

    /** Waits until every projection has applied everything in every partition when this was called. */
    boolean awaitCaughtUp(Duration timeout);

    /**
     * Waits until {@code projection} has applied everything in every partition when this was called
     * (read-your-writes for a query of it); {@code false} when the timeout passed first.
     */
    boolean awaitCaughtUp(String projection, Duration timeout);

    ProjectionStatus status(String projection);

    /** The status of every projection, in registration order. */
    List<ProjectionStatus> status();

    /**
     * Rebuilds {@code projection} from {@code global_seq} 0 into a new version directory, validates
     * it, swaps it in and keeps the previous version. Blocks until done.
     *
     * @throws RebuildInProgressException at once when another rebuild of it runs, here or in another process
     */
    default RebuildResult rebuild(String projection) {
        return rebuild(projection, (position, target) -> { }, Map.of());
    }

    /**
     * {@link #rebuild(String)}, telling {@code progress} how far the build is, with {@code audit}
     * (who asked, through what) added to the figures of its {@code ops.replay} event. Queries go on
     * against the live version while the new one is built beside it.
     */
    RebuildResult rebuild(String projection, RebuildListener progress, Map<String, String> audit);

    /**
     * Makes the newest other version that completed its build live again: it catches up from its own
     * checkpoint before readers switch to it. Blocks until they have.
     *
     * @throws ProjectionException when no other version completed its build; the live version stays
     */
    default RollbackResult rollback(String projection) {
        return rollback(projection, Map.of());
    }

    /** {@link #rollback(String)}, with {@code audit} added to the figures of its {@code ops.rollback} event. */
    RollbackResult rollback(String projection, Map<String, String> audit);

    /** Its versions on disk and its quarantine, read now: what a rollback could go back to, and what was damaged. */
    ProjectionVersions versions(String projection);

    /**
     * Reads every block of the live version from disk and checks its checksum (the page cache of
     * RocksDB is bypassed). A damaged version is quarantined and rebuilt before this returns.
     */
    ScrubResult scrub(String projection);

    /** SHA-256 (hex) over every key/value pair of the live version in key order, at a consistent snapshot. */
    String digest(String projection);

    /** Stops following and closes every version; waits for queries in flight. */
    @Override
    void close();
}
