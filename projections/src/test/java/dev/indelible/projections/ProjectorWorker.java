package dev.indelible.projections;

import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.projections.reference.DomainEvents;
import dev.indelible.projections.reference.ReferenceProjections;

import java.nio.file.Path;
import java.util.List;

/**
 * A child process that runs a projection engine over a shared data directory and prints its
 * position every few milliseconds ({@code POS <global_seq>}) until it is killed.
 *
 * <p>Usage: {@code ProjectorWorker <dataDir> all}: the counting projection and the five reference ones
 */
public final class ProjectorWorker {
    private ProjectorWorker() {
    }

    public static void main(String[] args) throws InterruptedException {
        Path data = Path.of(args[0]);
        List<Projection> projections = new java.util.ArrayList<>(ReferenceProjections.all());
        projections.add(0, new CountingProjection("counts"));
        LedgerConfig config = DomainEvents.register(LedgerConfig.builder()).build();
        try (Ledger ledger = Ledger.open(data, config);
             ProjectionEngine engine = ProjectionEngine.start(ledger, data.resolve("projections"), projections)) {
            String name = projections.get(0).name();
            while (true) {
                System.out.println("POS " + engine.status(name).position());
                System.out.flush();
                Thread.sleep(5); // the pace of its reports, not a wait for something
            }
        }
    }
}
