package dev.indelible.ledger.kafka.testing;

import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.kafka.PartitionedJournalConfig;
import dev.indelible.ledger.kafka.PartitionedLedger;
import dev.indelible.projections.EngineConfig;
import dev.indelible.projections.ProjectionEngine;
import dev.indelible.projections.StreamCountingProjection;
import java.nio.file.Path;
import java.util.List;

/**
 * A projecting node for the partitioned projections test: reads every partition of a topic beside its
 * writer (read-only, no fencing) and runs {@link StreamCountingProjection} over them, printing
 * {@code POS <events read of all partitions>} every few milliseconds until it is killed.
 *
 * <p>Usage: {@code PartitionedProjectorWorker JOURNAL_URI DATA_DIR PROJECTIONS_DIR}
 */
public final class PartitionedProjectorWorker {
    private PartitionedProjectorWorker() {
    }

    public static void main(String[] args) throws InterruptedException {
        PartitionedJournalConfig journal = PartitionedJournalConfig.parse(args[0]);
        try (PartitionedLedger ledger = PartitionedLedger.openReadOnly(journal, Path.of(args[1]), LedgerConfig.defaults());
             ProjectionEngine engine = ProjectionEngine.start(ledger.ledgers(), Path.of(args[2]),
                 List.of(new StreamCountingProjection("streams")), EngineConfig.defaults().withBatchEvents(32))) {
            while (true) {
                System.out.println("POS " + engine.status("streams").position());
                System.out.flush();
                Thread.sleep(5); // the pace of its reports, not a wait for something
            }
        }
    }
}
