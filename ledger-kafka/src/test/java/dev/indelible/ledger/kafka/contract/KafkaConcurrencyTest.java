package dev.indelible.ledger.kafka.contract;

import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.contract.ConcurrencyContract;
import dev.indelible.ledger.kafka.testing.SharedKafka;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;

/** The ledger's concurrency contract, unchanged, on a Kafka journal. */
@Tag("system")
class KafkaConcurrencyTest extends ConcurrencyContract {
    @Override
    protected Ledger openLedger(Path dataDir, LedgerConfig config) {
        return SharedKafka.open(dataDir, config);
    }

    /** Each blocking append waits for a transaction commit (milliseconds): 8 x 1,000 still races. */
    @Override
    protected int appendsPerProducer() {
        return 1_000;
    }
}
