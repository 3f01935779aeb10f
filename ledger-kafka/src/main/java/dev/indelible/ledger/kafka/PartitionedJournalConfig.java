package dev.indelible.ledger.kafka;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A journal over every partition of one topic: partition {@code p} is the journal
 * {@link #partition(int)}, with its own writer and its own dense {@code global_seq}, and
 * {@link #rule()} says which partition holds each stream.
 *
 * <p>Immutable and thread-safe.
 *
 * @param journal the topic, servers and client settings; its partition is ignored, and its
 *                transactional id names partition 0's writer (the others get {@code -<p>} in place of
 *                the default's {@code -0}, or after an id the user gave)
 * @param rule    the partition count (the topic must have exactly as many) and the partition keys
 */
public record PartitionedJournalConfig(KafkaJournalConfig journal, PartitionRule rule) {
    /** The address parameter giving the partition count. */
    public static final String PARTITIONS = "partitions";
    /** The address parameter giving the rule's keys ({@link PartitionRule}); absent: {@link PartitionRule#REFERENCE_KEYS}. */
    public static final String KEYS = "partition.keys";

    public PartitionedJournalConfig {
        Objects.requireNonNull(journal, "journal");
        Objects.requireNonNull(rule, "rule");
        journal = journal.withPartition(0);
    }

    /**
     * Parses {@code kafka://host:port[,host:port]/topic?partitions=P[&partition.keys=PATTERN=KEY,...]}
     * and the parameters {@link KafkaJournalConfig#parse} takes, except {@code partition}.
     *
     * @throws IllegalArgumentException naming the parameter and the reason
     */
    public static PartitionedJournalConfig parse(String uri) {
        int q = uri.indexOf('?');
        List<String> rest = new ArrayList<>();
        String partitions = null;
        String keys = PartitionRule.REFERENCE_KEYS;
        if (q >= 0) {
            for (String pair : uri.substring(q + 1).split("&")) {
                if (pair.startsWith(PARTITIONS + "=")) {
                    partitions = pair.substring(PARTITIONS.length() + 1);
                } else if (pair.startsWith(KEYS + "=")) {
                    // Percent-decoded as URI.getQuery does, keeping a '+' (URLDecoder would make it a space).
                    keys = URLDecoder.decode(pair.substring(KEYS.length() + 1).replace("+", "%2B"), StandardCharsets.UTF_8);
                } else if (pair.startsWith("partition=")) {
                    throw new IllegalArgumentException("journal: partition: not with " + PARTITIONS
                        + "=N: the journal is every partition of the topic");
                } else {
                    rest.add(pair);
                }
            }
        }
        if (partitions == null) {
            throw new IllegalArgumentException("journal: " + PARTITIONS + ": is required (the topic's partition count)");
        }
        int count = KafkaJournalConfig.parseInt(partitions, PARTITIONS, 0);
        String single = (q >= 0 ? uri.substring(0, q) : uri) + (rest.isEmpty() ? "" : "?" + String.join("&", rest));
        return new PartitionedJournalConfig(KafkaJournalConfig.parse(single), PartitionRule.of(count, keys));
    }

    /** The number of partitions. */
    public int partitions() {
        return rule.partitions();
    }

    /** The journal of partition {@code p}, with that partition's writer id. */
    public KafkaJournalConfig partition(int p) {
        Objects.checkIndex(p, rule.partitions());
        KafkaJournalConfig one = journal.withPartition(p);
        return one.transactionalId().equals(journal.transactionalId()) && p > 0
            ? one.withTransactionalId(journal.transactionalId() + "-" + p) : one;
    }

    /** The address, for messages. */
    public String describe() {
        return "kafka://" + journal.bootstrapServers() + "/" + journal.topic() + "?" + rule;
    }
}
