package dev.indelible.ledger.kafka.contract;

import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.contract.InputContract;
import dev.indelible.ledger.kafka.testing.SharedKafka;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;

/** The ledger's input contract, unchanged, on a Kafka journal. */
@Tag("system")
class KafkaInputTest extends InputContract {
    @Override
    protected Ledger openLedger(Path dataDir, LedgerConfig config) {
        return SharedKafka.open(dataDir, config);
    }
}
