package dev.indelible.ledger.kafka.testing;

import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.kafka.KafkaJournalConfig;
import dev.indelible.ledger.kafka.KafkaLedger;
import dev.indelible.projections.reference.DomainEvents;
import java.nio.file.Path;

/**
 * An erasing process for the kill test: becomes the Kafka journal's writer and erases one subject
 * (killed by {@code -Dindelible.killPoint} on the way), printing {@code erased} when done.
 *
 * <p>Usage: {@code KafkaEraseWorker BOOTSTRAP TOPIC DATA_DIR SUBJECT}
 */
public final class KafkaEraseWorker {
    private KafkaEraseWorker() {
    }

    public static void main(String[] args) {
        KafkaJournalConfig kafka = KafkaJournalConfig.of(args[0], args[1]);
        LedgerConfig config = DomainEvents.register(LedgerConfig.builder()).build();
        try (Ledger ledger = KafkaLedger.open(kafka, Path.of(args[2]), config)) {
            ledger.personalData().erase(args[3], "KafkaEraseWorker");
            System.out.println("erased");
        }
    }
}
