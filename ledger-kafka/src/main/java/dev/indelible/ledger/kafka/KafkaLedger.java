package dev.indelible.ledger.kafka;

import dev.indelible.ledger.Durability;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.VerifyReport;
import dev.indelible.ledger.spi.SubjectKeys;
import dev.indelible.ledger.kafka.internal.KafkaJournal;
import dev.indelible.ledger.kafka.internal.KafkaKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
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
        return open(kafka, KafkaJournal.openWriter(kafka), true, stateDir, config);
    }

    /**
     * Opens the partition to read only: committed events, no fencing, so it can run beside the
     * writer (for status, queries, exports). Appends fail, saying the ledger was opened to read.
     * The topic must exist.
     */
    public static Ledger openReadOnly(KafkaJournalConfig kafka, Path dataDir, LedgerConfig config) {
        Path stateDir = stateDir(kafka, dataDir);
        return open(kafka, KafkaJournal.openReader(kafka), false, stateDir, config);
    }

    /**
     * The ledger over {@code journal}, with the personal-data keys of the keys topic beside it (read to
     * its end first): every append acknowledged only once its transaction committed, with the keys its
     * events were sealed with.
     */
    private static Ledger open(KafkaJournalConfig kafka, KafkaJournal journal, boolean writer, Path stateDir,
                               LedgerConfig config) {
        try {
            KafkaKeys keys = KafkaKeys.open(kafka, writer ? journal : null, config.hasPersonalData());
            if (keys != null && writer) {
                journal.carry(keys::takeCarried);
            }
            return Ledger.open(journal, stateDir, config.toBuilder().durability(Durability.SYNC).build(), keys);
        } catch (RuntimeException e) {
            journal.close();
            throw e;
        }
    }

    /**
     * What the journal's keys topic holds, read without writing anything: for verify. Null when the
     * journal has none (written in clear).
     *
     * @throws dev.indelible.ledger.LedgerException naming the topic and offset when a record is damaged,
     *                                              or the secret is missing while the journal holds events
     */
    public static KeysSummary inspectKeys(KafkaJournalConfig kafka) {
        KafkaKeys keys = KafkaKeys.open(kafka, null, false);
        if (keys == null) {
            return null;
        }
        try {
            return new KeysSummary(keys.describe(), keys.keyCount(), keys.erasedSubjects());
        } finally {
            keys.close();
        }
    }

    /**
     * Writes the embedded key store in {@code keyStoreDir} (its secret, keys and erasures) into the keys
     * topic of an empty Kafka journal, so that events copied there from that embedded journal open and
     * their reservations keep their names ({@code export-journal --to kafka://}). Does nothing without
     * a key store.
     *
     * @throws dev.indelible.ledger.LedgerException when the journal holds events or its keys topic holds records
     */
    public static void importKeys(KafkaJournalConfig kafka, Path keyStoreDir) {
        SubjectKeys.Contents contents = SubjectKeys.readKeyStore(keyStoreDir);
        if (contents != null) {
            KafkaKeys.importKeys(kafka, contents);
        }
    }

    /** What a keys topic holds: where, how many subjects have keys, which are erased (sorted). */
    public record KeysSummary(String topic, int subjects, Set<String> erased) {
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
