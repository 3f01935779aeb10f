package dev.indelible.cli;

import dev.indelible.ledger.Durability;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.kafka.KafkaJournalConfig;
import dev.indelible.ledger.kafka.KafkaLedger;
import java.nio.file.Path;

/**
 * A second journal named on the command line, for copies and comparisons: {@code kafka://...} or
 * a data directory holding an embedded journal.
 */
record OtherJournal(String given, KafkaJournalConfig kafka, Path dir) {

    static OtherJournal parse(String given) {
        return given.startsWith("kafka:") ? new OtherJournal(given, KafkaJournalConfig.parse(given), null)
            : new OtherJournal(given, null, Path.of(given));
    }

    /** Opens it to be written with {@code appendRecorded}; on Kafka as the partition's writer. */
    Ledger openToAppend(Path stateDir) {
        LedgerConfig config = LedgerConfig.builder().durability(Durability.SYNC).build();
        return kafka != null ? KafkaLedger.open(kafka, stateDir, config) : Ledger.open(dir, config);
    }

    /** Opens it to read; it must exist. */
    Ledger openToRead(Path stateDir) {
        if (kafka != null) {
            return KafkaLedger.openReadOnly(kafka, stateDir, LedgerConfig.defaults());
        }
        DataOptions.requireLedger(dir, "");
        return Ledger.open(dir, LedgerConfig.defaults());
    }

    String describe() {
        return kafka != null ? kafka.describe() : dir.toAbsolutePath().toString();
    }
}
