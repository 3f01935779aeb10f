package dev.indelible.ledger.contract;

import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import java.nio.file.Path;

class ChronicleTransactionTest extends TransactionContract {
    @Override
    protected Ledger openLedger(Path dataDir, LedgerConfig config) {
        return Ledger.open(dataDir, config);
    }
}
