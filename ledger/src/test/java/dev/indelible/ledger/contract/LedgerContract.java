package dev.indelible.ledger.contract;

import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The behaviour every journal implementation must give the ledger. A subclass says how to open a
 * ledger on its storage; the tests are written once (ledger-kafka runs them from the test-jar).
 */
public abstract class LedgerContract {
    protected static final Instant NOW = Instant.parse("2025-11-04T12:07:00.123456Z");

    @TempDir
    protected Path dir;

    protected Ledger ledger;

    /** Opens a ledger in {@code dataDir}; called again on the same directory to test a reopen. */
    protected abstract Ledger openLedger(Path dataDir, LedgerConfig config);

    protected LedgerConfig config() {
        return LedgerConfig.builder().clock(Clock.fixed(NOW, ZoneOffset.UTC)).producerId("contract-test").build();
    }

    protected Ledger open() {
        ledger = openLedger(dir, config());
        return ledger;
    }

    protected Ledger reopen() {
        ledger.close();
        return open();
    }

    @AfterEach
    void closeLedger() {
        if (ledger != null) {
            ledger.close();
        }
    }

    protected static EventData json(String body) {
        return EventData.json("test.event", body.getBytes(StandardCharsets.UTF_8));
    }

    protected static EventData event(int n) {
        return json("{\"n\":" + n + "}");
    }

    protected static AppendResult.Appended appended(AppendResult result) {
        if (result instanceof AppendResult.Appended a) {
            return a;
        }
        throw new AssertionError("expected Appended, got " + result);
    }
}
