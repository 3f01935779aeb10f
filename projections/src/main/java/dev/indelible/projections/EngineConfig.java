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
