package dev.indelible.cli;

import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.projections.OfflineProjections;
import dev.indelible.projections.reference.DomainEvents;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * What {@code indelible replay NAME} does, stalled after its first applied batch and before
 * validation, printing {@code BUILDING <next>/<target>}: the parent kills it there with SIGKILL.
 *
 * <p>Usage: {@code StalledReplayWorker <dataDir> <projection>}
 */
public final class StalledReplayWorker {
    private StalledReplayWorker() {
    }

    public static void main(String[] args) {
        Path data = Path.of(args[0]);
        try (Ledger ledger = Ledger.open(data, DomainEvents.register(LedgerConfig.builder()).build())) {
            OfflineProjections.rebuild(ledger, data.resolve("projections"), List.of(ProjectionNames.find(args[1])), (next, target) -> {
                System.out.println("BUILDING " + next + "/" + target);
                System.out.flush();
                while (true) {
                    LockSupport.park(); // until killed
                }
            });
        }
    }
}
