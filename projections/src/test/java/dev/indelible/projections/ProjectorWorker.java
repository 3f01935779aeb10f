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
 * <p>Usage: {@code ProjectorWorker <dataDir> all}: the counting projection and the five reference ones;
 * {@code ProjectorWorker <dataDir> partitions <P>}: {@link StreamCountingProjection} over P ledgers at
 * {@code <dataDir>/p0 ...}, reporting the events read of all of them.
 */
public final class ProjectorWorker {
    private ProjectorWorker() {
    }

    public static void main(String[] args) throws InterruptedException {
        Path data = Path.of(args[0]);
        if (args[1].equals("partitions")) {
            followPartitions(data, Integer.parseInt(args[2]));
            return;
        }
        List<Projection> projections = new java.util.ArrayList<>(ReferenceProjections.all());
        projections.add(0, new CountingProjection("counts"));
        LedgerConfig config = DomainEvents.register(LedgerConfig.builder()).build();
        try (Ledger ledger = Ledger.open(data, config);
             ProjectionEngine engine = ProjectionEngine.start(ledger, data.resolve("projections"), projections)) {
            report(engine, projections.get(0).name());
        }
    }

    private static void followPartitions(Path data, int count) throws InterruptedException {
        List<Ledger> partitions = new java.util.ArrayList<>();
        try {
            for (int p = 0; p < count; p++) {
                partitions.add(Ledger.open(data.resolve("p" + p), LedgerConfig.defaults()));
            }
            try (ProjectionEngine engine = ProjectionEngine.start(partitions, data.resolve("projections"),
                    List.of(new StreamCountingProjection("streams")), EngineConfig.defaults().withBatchEvents(64))) {
                report(engine, "streams");
            }
        } finally {
            partitions.forEach(Ledger::close);
        }
    }

    private static void report(ProjectionEngine engine, String name) throws InterruptedException {
        while (true) {
            System.out.println("POS " + engine.status(name).position());
            System.out.flush();
            Thread.sleep(5); // the pace of its reports, not a wait for something
        }
    }
}
