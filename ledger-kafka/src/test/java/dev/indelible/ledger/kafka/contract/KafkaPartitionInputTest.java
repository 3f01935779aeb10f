package dev.indelible.ledger.kafka.contract;

import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.contract.InputContract;
import dev.indelible.ledger.kafka.testing.OnePartition;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;

/** The ledger's input contract, unchanged, on partition 0 of a 3-partition journal. */
@Tag("system")
class KafkaPartitionInputTest extends InputContract {
    @Override
    protected Ledger openLedger(Path dataDir, LedgerConfig config) {
        return OnePartition.open(dataDir, config, 0);
    }
}
