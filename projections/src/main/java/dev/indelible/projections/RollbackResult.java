package dev.indelible.projections;

import java.util.List;

/**
 * What a rollback did.
 *
 * @param fromVersion         the version that was live, {@code null} if none was
 * @param toVersion           the version live now: the newest other one that completed its build
 * @param discardedUnfinished versions whose build did not finish, skipped and deleted; newest first
 */
public record RollbackResult(String projection, String fromVersion, String toVersion, List<String> discardedUnfinished) {

    public RollbackResult {
        discardedUnfinished = List.copyOf(discardedUnfinished);
    }
}
