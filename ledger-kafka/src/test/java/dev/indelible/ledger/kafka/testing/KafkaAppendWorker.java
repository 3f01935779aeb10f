package dev.indelible.ledger.kafka.testing;

import dev.indelible.ledger.EventData;
import dev.indelible.ledger.EventId;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.kafka.KafkaJournalConfig;
import dev.indelible.ledger.kafka.KafkaLedger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A writer process for the fencing test: appends blocking to stream {@code writer-<name>} until an
 * append fails, printing {@code ack <i>} after each acknowledged one and {@code failed <reason>}
 * at the end. Event ids are {@code (writer number, i)}.
 *
 * <p>Usage: {@code KafkaAppendWorker BOOTSTRAP TOPIC DATA_DIR WRITER_NUMBER}
 */
public final class KafkaAppendWorker {
    private KafkaAppendWorker() {
    }

    public static void main(String[] args) {
        KafkaJournalConfig kafka = KafkaJournalConfig.of(args[0], args[1]);
        int writer = Integer.parseInt(args[3]);
        try (Ledger ledger = KafkaLedger.open(kafka, Path.of(args[2]), LedgerConfig.defaults())) {
            System.out.println("open");
            for (long i = 0; ; i++) {
                EventData event = EventData.json("test.event", ("{\"i\":" + i + "}").getBytes(StandardCharsets.UTF_8))
                    .withEventId(new EventId(writer, i));
                try {
                    ledger.append("writer-" + writer, ExpectedVersion.ANY, event);
                } catch (RuntimeException e) {
                    System.out.println("failed " + e.getMessage());
                    return;
                }
                System.out.println("ack " + i);
            }
        }
    }
}
