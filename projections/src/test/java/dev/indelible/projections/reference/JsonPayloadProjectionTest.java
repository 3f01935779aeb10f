package dev.indelible.projections.reference;

import dev.indelible.ledger.EventData;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.projections.ProjectionEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Domain events appended as JSON by a ledger without the domain validators are still projected. */
class JsonPayloadProjectionTest {

    @TempDir
    Path data;

    @Test
    void shouldProjectADomainEventStoredAsJson() {
        try (Ledger ledger = Ledger.open(data, LedgerConfig.defaults())) {
            ledger.append("selfies-user-7", ExpectedVersion.ANY, EventData.json(DomainEvents.SELFIE_SUBMITTED,
                    ("{\"user_id\": 7, \"media_type\": \"photo\", \"file_id\": \"f\", \"submitted_at\": \"2026-11-25T00:00:00Z\"}")
                            .getBytes(StandardCharsets.UTF_8)));
            try (ProjectionEngine engine = ProjectionEngine.start(ledger, data.resolve("projections"),
                    List.of(new SelfiesProjection()))) {
                assertTrue(engine.awaitCaughtUp(Duration.ofSeconds(30)));
                List<SelfiesQueries.Selfie> selfies = new SelfiesQueries(engine).byUser(7, Instant.EPOCH, Instant.MAX);
                assertEquals("f", selfies.get(0).fileId());
            }
        }
    }
}
