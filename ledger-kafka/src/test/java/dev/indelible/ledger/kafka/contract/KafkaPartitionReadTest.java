package dev.indelible.ledger.kafka.contract;

import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.contract.ReadContract;
import dev.indelible.ledger.kafka.testing.OnePartition;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;

/** The ledger's read contract, unchanged, on partition 1 of a 3-partition journal. */
@Tag("system")
class KafkaPartitionReadTest extends ReadContract {
    @Override
    protected Ledger openLedger(Path dataDir, LedgerConfig config) {
        return OnePartition.open(dataDir, config, 1);
    }
}
