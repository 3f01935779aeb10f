package dev.indelible.ledger.kafka;

import dev.indelible.ledger.Durability;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.VerifyReport;
import dev.indelible.ledger.kafka.internal.KafkaJournal;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.function.LongConsumer;

/**
 * The ledger on a Kafka topic partition instead of the embedded journal. The ledger API is the
 * same; what differs is in ledger-kafka/README.md: one writer per partition (opening fences the
 * previous one), every append acknowledged only once its transaction committed, and readers see
 * committed events only.
 *
 * <pre>{@code
 * KafkaJournalConfig kafka = KafkaJournalConfig.parse("kafka://127.0.0.1:9092/indelible");
 * try (Ledger ledger = KafkaLedger.open(kafka, Path.of("indelible-data"), LedgerConfig.defaults())) {
 *     ledger.append("email-alice@example.com", ExpectedVersion.NO_STREAM, event);
 * }
 * }</pre>
 */
public final class KafkaLedger {
    private KafkaLedger() {
    }

    /**
     * Opens the partition's writer: checks or creates the topic, fences every older writer with the
     * same transactional id, then reads the partition to its end (from a checkpoint in
     * {@code dataDir}, when one matches) before the first append. The durability is always
     * {@link Durability#SYNC}: an append is acknowledged when its transaction is committed.
     *
     * @param dataDir local directory for checkpoints of the ledger's indexes (a cache, never the truth)
     */
    public static Ledger open(KafkaJournalConfig kafka, Path dataDir, LedgerConfig config) {
        Path stateDir = stateDir(kafka, dataDir);
        return open(KafkaJournal.openWriter(kafka), stateDir, config);
    }

    /**
     * Opens the partition to read only: committed events, no fencing, so it can run beside the
     * writer (for status, queries, exports). Appends fail, saying the ledger was opened to read.
     * The topic must exist.
     */
    public static Ledger openReadOnly(KafkaJournalConfig kafka, Path dataDir, LedgerConfig config) {
        Path stateDir = stateDir(kafka, dataDir);
        return open(KafkaJournal.openReader(kafka), stateDir, config);
    }

    /** The ledger over {@code journal}: every append acknowledged only once its transaction committed. */
    private static Ledger open(KafkaJournal journal, Path stateDir, LedgerConfig config) {
        try {
            return Ledger.open(journal, stateDir, config.toBuilder().durability(Durability.SYNC).build());
        } catch (RuntimeException e) {
            journal.close();
            throw e;
        }
    }

    /** Walks every committed record of the partition and checks it, without becoming the writer. */
    public static VerifyReport verify(KafkaJournalConfig kafka) {
        return verify(kafka, checked -> { });
    }

    /** {@link #verify(KafkaJournalConfig)}, telling {@code progress} the events checked so far (see {@code Ledger.verify}). */
    public static VerifyReport verify(KafkaJournalConfig kafka, LongConsumer progress) {
        try (KafkaJournal journal = KafkaJournal.openReader(kafka)) {
            return Ledger.verify(journal, progress);
        }
    }

    private static Path stateDir(KafkaJournalConfig kafka, Path dataDir) {
        Path dir = dataDir.toAbsolutePath().normalize().resolve("kafka-state")
            .resolve(kafka.topic() + "-" + kafka.partition());
        try {
            // Owner-only, like the embedded data directory.
            return Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
    }
}
