package dev.indelible.ledger.kafka.internal;

import static dev.indelible.ledger.testing.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.indelible.ledger.EventData;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.kafka.KafkaJournalConfig;
import dev.indelible.ledger.kafka.KafkaLedger;
import dev.indelible.ledger.kafka.testing.SharedKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reader's stream reads seek its pooled cursors to the records its index points at. Such a cursor
 * last fetched before the stream grew, and took the end it cached then for the partition's end:
 * the second read of a stream that grew failed with "a stream link points at a missing record"
 * (a follower's {@code GET /streams/...}, and the writer node's, which reads through its reader).
 */
@Tag("system")
class KafkaCursorTest {
    @TempDir
    Path dir;

    @Test
    void shouldReadAStreamThatGrewSinceItsLastRead() throws Exception {
        KafkaJournalConfig kafka = SharedKafka.journalFor(dir.resolve("writer"));
        try (Ledger writer = SharedKafka.open(dir.resolve("writer"), LedgerConfig.defaults());
             Ledger reader = KafkaLedger.openReadOnly(kafka, dir.resolve("reader"), LedgerConfig.defaults())) {
            for (int i = 0; i < 3; i++) {
                writer.append("s-1", ExpectedVersion.ANY, EventData.json("custom.thing", "{}".getBytes(StandardCharsets.UTF_8)));
                long version = i;
                await(() -> reader.streamVersion("s-1") == version, Duration.ofSeconds(10));
                assertEquals(i + 1, reader.readStream("s-1", 0, 100).size(), "read " + i);
            }
        }
    }
}
