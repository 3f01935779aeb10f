package dev.indelible.ledger.internal;

import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import java.nio.file.Path;

/** The Chronicle-backed ledger. Being written: see issue 3. */
public final class DefaultLedger {
    private DefaultLedger() {
    }

    public static Ledger open(Path dataDir, LedgerConfig config) {
        throw new UnsupportedOperationException("not yet implemented");
    }
}
