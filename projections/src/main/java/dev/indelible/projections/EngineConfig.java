package dev.indelible.projections;

/**
 * Tuning of a {@link ProjectionEngine}; the defaults suit most users.
 *
 * <p>Immutable and thread-safe.
 *
 * @param batchEvents          events applied per RocksDB write (one write holds state and checkpoint)
 * @param keepVersions         version directories kept per projection: the live one and the ones before it
 * @param verifyChecksumsOnOpen read every block of a version at open to detect damage before serving it
 */
public record EngineConfig(int batchEvents, int keepVersions, boolean verifyChecksumsOnOpen) {

    /**
     * Disk a live projection may need beyond what it holds, at any moment: its memtable (RocksDB's
     * default 64 MiB write buffer) flushed to a table file while the WAL that held it is still
     * there, and a compaction of about that size. A state much larger than that can need more
     * for a large compaction.
     */
    public static final long DISK_HEADROOM_PER_PROJECTION = 128L << 20;

    /**
     * The free-space reserve for a ledger whose projections share its disk: the journal's own
     * ({@code LedgerConfig.DEFAULT_FREE_SPACE_RESERVE}, 64 MiB) plus the headroom of each of
     * {@code projections}. Give it to {@code LedgerConfig.Builder.freeSpaceReserve}, with the
     * projections' directory to {@code reserveAlsoOn}, and the journal refuses appends while the
     * projections still have room to apply every event it took.
     */
    public static long freeSpaceReserveFor(int projections) {
        if (projections < 0) {
            throw new IllegalArgumentException("projections must not be negative: " + projections);
        }
        return dev.indelible.ledger.LedgerConfig.DEFAULT_FREE_SPACE_RESERVE + projections * DISK_HEADROOM_PER_PROJECTION;
    }

    public EngineConfig {
        if (batchEvents < 1) {
            throw new IllegalArgumentException("batchEvents must be at least 1: " + batchEvents);
        }
        if (keepVersions < 2) {
            throw new IllegalArgumentException("keepVersions must be at least 2 (live and previous): " + keepVersions);
        }
    }

    public static EngineConfig defaults() {
        return new EngineConfig(1_000, 2, true);
    }

    public EngineConfig withBatchEvents(int value) {
        return new EngineConfig(value, keepVersions, verifyChecksumsOnOpen);
    }

    public EngineConfig withKeepVersions(int value) {
        return new EngineConfig(batchEvents, value, verifyChecksumsOnOpen);
    }

    public EngineConfig withVerifyChecksumsOnOpen(boolean value) {
        return new EngineConfig(batchEvents, keepVersions, value);
    }
}
