package dev.indelible.ledger.contract;

import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import java.nio.file.Path;

class ChronicleRulesTest extends RulesContract {
    @Override
    protected Ledger openLedger(Path dataDir, LedgerConfig config) {
        return Ledger.open(dataDir, config);
    }
}
