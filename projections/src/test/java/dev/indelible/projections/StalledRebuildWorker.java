package dev.indelible.projections;

import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.projections.OfflineProjections;

import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;

/**
 * A child process that rebuilds the counting projection {@code counts} and stalls after its first
 * applied batch, before validation, printing {@code BUILDING <next>/<target>}: the parent kills it
 * there with SIGKILL, leaving a version that did not finish its build.
 *
 * <p>Usage: {@code StalledRebuildWorker <dataDir>}
 */
public final class StalledRebuildWorker {
    private StalledRebuildWorker() {
    }

    public static void main(String[] args) {
        Path data = Path.of(args[0]);
        try (Ledger ledger = Ledger.open(data, LedgerConfig.defaults())) {
            OfflineProjections.rebuild(ledger, data.resolve("projections"), new CountingProjection("counts"), (next, target) -> {
                System.out.println("BUILDING " + next + "/" + target);
                System.out.flush();
                while (true) {
                    LockSupport.park(); // until killed
                }
            });
        }
    }
}
