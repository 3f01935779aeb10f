package dev.indelible.cli;

import dev.indelible.ledger.Durability;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.LedgerPartitions;
import dev.indelible.ledger.kafka.KafkaJournalConfig;
import dev.indelible.ledger.kafka.KafkaLedger;
import dev.indelible.ledger.kafka.PartitionedJournalConfig;
import dev.indelible.ledger.kafka.PartitionedLedger;
import java.nio.file.Path;

/**
 * A second journal named on the command line, for copies and comparisons: {@code kafka://...} (of
 * one partition, or of P with {@code ?partitions=P}) or a data directory holding an embedded journal.
 * Copies and comparisons go partition by partition: partition p of one with partition p of the other.
 */
record OtherJournal(String given, KafkaJournalConfig kafka, PartitionedJournalConfig partitioned, Path dir) {

    static OtherJournal parse(String given) {
        if (!given.startsWith("kafka:")) {
            return new OtherJournal(given, null, null, Path.of(given));
        }
        return DataOptions.overPartitions(given) ? new OtherJournal(given, null, PartitionedJournalConfig.parse(given), null)
            : new OtherJournal(given, KafkaJournalConfig.parse(given), null, null);
    }

    /** Its number of partitions: P of {@code ?partitions=P}, else 1. */
    int partitions() {
        return partitioned != null ? partitioned.partitions() : 1;
    }

    /**
     * Refuses, naming {@code option}, a journal whose partitions are not {@code source}'s one for one
     * (null: a journal of one partition): as many, and to copy into, the same partition keys, so
     * that partition p holds the same streams in both.
     */
    void requirePartitionsOf(PartitionedJournalConfig source, String option, boolean sameKeys) {
        int theirs = source != null ? source.partitions() : 1;
        if (partitions() != theirs) {
            throw new IllegalArgumentException(option + ": " + describe() + " has " + partitions() + " partition(s) and the"
                + " journal " + theirs + ": journals are copied and compared partition by partition, each event keeping"
                + " its partition and global_seq; another partition count would move events between partitions and"
                + " renumber them (repartitioning), which is not built");
        }
        if (sameKeys && theirs > 1 && !source.rule().equals(partitioned.rule())) {
            throw new IllegalArgumentException(option + ": " + PartitionedJournalConfig.KEYS + ": " + describe()
                + " places streams by other keys ('" + partitioned.rule().keys() + "') than the journal ('"
                + source.rule().keys() + "'): a copy keeps each event in its"
                + " partition, where the copy's own rule would not look for its stream; give the same "
                + PartitionedJournalConfig.KEYS);
        }
    }

    /** Opens it to be written with {@code appendRecorded}; on Kafka as every partition's writer, unless a cluster serves it ({@link ClusterGuard}). */
    LedgerPartitions openToAppend(Path stateDir, boolean fenceCluster) {
        LedgerConfig config = LedgerConfig.builder().durability(Durability.SYNC).build();
        if (partitioned != null) {
            ClusterGuard.check(partitioned, fenceCluster);
            return PartitionedLedger.open(partitioned, stateDir, config);
        }
        if (kafka != null) {
            ClusterGuard.check(kafka, fenceCluster);
            return LedgerPartitions.of(KafkaLedger.open(kafka, stateDir, config));
        }
        return LedgerPartitions.of(Ledger.open(dir, config));
    }

    /** Opens it to read; it must exist. */
    LedgerPartitions openToRead(Path stateDir) {
        if (partitioned != null) {
            return PartitionedLedger.openReadOnly(partitioned, stateDir, LedgerConfig.defaults());
        }
        if (kafka != null) {
            return LedgerPartitions.of(KafkaLedger.openReadOnly(kafka, stateDir, LedgerConfig.defaults()));
        }
        DataOptions.requireLedger(dir, "");
        return LedgerPartitions.of(Ledger.open(dir, LedgerConfig.defaults()));
    }

    String describe() {
        return partitioned != null ? partitioned.describe() : kafka != null ? kafka.describe() : dir.toAbsolutePath().toString();
    }
}
