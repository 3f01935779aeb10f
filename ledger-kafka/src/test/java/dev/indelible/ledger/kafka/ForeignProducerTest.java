package dev.indelible.ledger.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.indelible.ledger.EventData;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.VerifyReport;
import dev.indelible.ledger.kafka.testing.SharedKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Offsets the writer did not write, between two of its transactions: the same shift a commit
 * marker written twice causes after a leader change (FailoverTest), made here on purpose and at
 * once with another producer's transaction. Aborted, it is invisible to every reader and the
 * writer carries on; committed, the writer stops and writes nothing after a record not its own.
 */
@Tag("system")
class ForeignProducerTest {
    @TempDir
    Path dir;

    @Test
    void shouldCarryOnPastAnotherProducersAbortedTransaction() throws Exception {
        try (Ledger ledger = SharedKafka.open(dir, LedgerConfig.defaults())) {
            append(ledger, 3);
            foreignTransaction(false);
            append(ledger, 3);

            assertEquals(6, ledger.read(0, 100).size());
            VerifyReport report = ledger.verify();
            assertTrue(report.ok(), report.problems().toString());
        }
    }

    @Test
    void shouldStopAtARecordAnotherProducerCommittedBetweenTransactions() throws Exception {
        try (Ledger ledger = SharedKafka.open(dir, LedgerConfig.defaults())) {
            append(ledger, 3);
            foreignTransaction(true);

            RuntimeException stopped = assertThrows(RuntimeException.class, () -> append(ledger, 1));

            // The ledger's catch-up before the write meets the record; had it been committed after the catch-up,
            // the journal's check of the offsets its next transaction skipped would.
            assertTrue(stopped.getMessage().contains("not a ledger record")
                || stopped.getMessage().contains("another producer committed a record"), stopped.getMessage());
        }
    }

    private static void append(Ledger ledger, int events) {
        for (int i = 0; i < events; i++) {
            ledger.append("s", ExpectedVersion.ANY, EventData.json("test.event", "{}".getBytes(StandardCharsets.UTF_8)));
        }
    }

    /** One record written to the ledger's partition in a transaction of another transactional id. */
    private void foreignTransaction(boolean commit) {
        KafkaJournalConfig journal = SharedKafka.journalFor(dir);
        Map<String, Object> settings = Map.of("bootstrap.servers", journal.bootstrapServers(),
            "transactional.id", "foreign-" + journal.topic(), "key.serializer", ByteArraySerializer.class,
            "value.serializer", ByteArraySerializer.class);
        try (KafkaProducer<byte[], byte[]> foreign = new KafkaProducer<>(settings)) {
            foreign.initTransactions();
            foreign.beginTransaction();
            foreign.send(new ProducerRecord<>(journal.topic(), journal.partition(), null, new byte[] {1, 2, 3}));
            foreign.flush(); // an abort drops what was not sent yet
            if (commit) {
                foreign.commitTransaction();
            } else {
                foreign.abortTransaction();
            }
        }
    }
}
