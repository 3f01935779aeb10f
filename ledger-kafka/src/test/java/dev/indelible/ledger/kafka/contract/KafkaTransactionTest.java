package dev.indelible.ledger.kafka.contract;

import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.contract.TransactionContract;
import dev.indelible.ledger.kafka.testing.SharedKafka;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;

/** The ledger's transaction contract, unchanged, on a Kafka journal. */
@Tag("system")
class KafkaTransactionTest extends TransactionContract {
    @Override
    protected Ledger openLedger(Path dataDir, LedgerConfig config) {
        return SharedKafka.open(dataDir, config);
    }
}
