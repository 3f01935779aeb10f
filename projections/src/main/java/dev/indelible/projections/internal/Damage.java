package dev.indelible.projections.internal;

import org.rocksdb.RocksDBException;
import org.rocksdb.Status;

/**
 * Tells damage (quarantine and rebuild) from other failures (report and stop): a version is damaged
 * when RocksDB reports corruption or a missing table file, never when its lock is busy or the disk
 * is full, which rebuilding would not fix.
 */
final class Damage {
    private Damage() {
    }

    static boolean isDamage(RocksDBException e) {
        Status status = e.getStatus();
        String message = String.valueOf(e.getMessage());
        if (status != null && status.getCode() == Status.Code.Corruption) {
            return true;
        }
        boolean missingTable = message.contains(".sst") && (message.contains("No such file") || message.contains("not found"));
        return missingTable || message.startsWith("Corruption");
    }

    /** The file system is full: not damage, and not for ever; RocksDB stops writing until the version is reopened. */
    static boolean isNoSpace(RocksDBException e) {
        Status status = e.getStatus();
        return (status != null && status.getSubCode() == Status.SubCode.NoSpace)
            || String.valueOf(e.getMessage()).contains("No space left on device");
    }

    /** RocksDB's LOCK is held: another process (or engine) has this version open. */
    static boolean isBusy(RocksDBException e) {
        String message = String.valueOf(e.getMessage());
        return message.contains("LOCK") || message.contains("lock hold");
    }
}
