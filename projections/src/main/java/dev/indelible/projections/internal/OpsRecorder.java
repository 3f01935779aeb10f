package dev.indelible.projections.internal;

import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.Operations;

import java.time.Instant;
import java.util.Map;

/** What the engine did to a projection, journaled through {@link Operations} on {@code ops-projection-<name>}. */
final class OpsRecorder {

    private final Ledger ledger;

    OpsRecorder(Ledger ledger) {
        this.ledger = ledger;
    }

    void record(String operation, String projection, Instant startedAt, String result, Map<String, String> figures) {
        Operations.record(ledger, operation, "projection-" + projection, operation + " of projection " + projection,
                startedAt, result, figures);
    }

    static String host() {
        return Operations.host();
    }
}
