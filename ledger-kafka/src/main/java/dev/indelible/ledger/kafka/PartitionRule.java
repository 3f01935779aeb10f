package dev.indelible.ledger.kafka;

import dev.indelible.ledger.Operations;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.utils.Utils;

/**
 * Which of a journal's partitions holds a stream: the stream's partition key, hashed. Streams
 * with the same key share a partition, so a transaction or condition over them stays in one.
 *
 * <p>The key is given by the first pattern the whole stream name matches; a stream no pattern
 * matches is its own key. A pattern is a literal with at most one {@code *} (one or more
 * characters); its key is a literal in which {@code *} stands for what the pattern's {@code *}
 * matched. Written {@code PATTERN=KEY[,PATTERN=KEY...]}:
 *
 * <pre>{@code
 * account-*=accounts,email-*=accounts      every account and email reservation in one partition
 * tenant-*-orders=tenant-*                  hypothetical: each tenant's streams together
 * }</pre>
 *
 * <p>The partition is {@code toPositive(murmur2(UTF-8 bytes of the key)) % partitions}: Kafka's own
 * partitioner for keyed records (kafka-clients {@code Utils.murmur2}), so it is the same on every
 * JVM, locale and version, and a Kafka tool that places records by the same key agrees. Changing
 * the patterns or the partition count moves streams: a journal is opened with the rule it was
 * written with (the topic's partition count is checked at open).
 *
 * <p>Immutable and thread-safe.
 */
public final class PartitionRule {
    /**
     * The reference domain's keys: an account registration is a transaction over
     * {@code account-<id>} and {@code email-<address>} (any address, on a change of email), so every
     * account and email stream shares one partition; a prayer requires its author's
     * {@code member-<name>} and a member its inviter, so the community shares another. Selfies
     * ({@code selfies-user-<id>}, one stream per user), videos and message projects need no other
     * stream and are spread by their own names. The audit trail ({@code ops-*}) is always in partition 0.
     */
    public static final String REFERENCE_KEYS = "account-*=accounts,email-*=accounts,member-*=community,prayer-*=community";

    private final int partitions;
    private final List<KeyPattern> patterns;

    private PartitionRule(int partitions, List<KeyPattern> patterns) {
        this.partitions = partitions;
        this.patterns = List.copyOf(patterns);
    }

    /**
     * The rule over {@code partitions} partitions with the keys {@code keys} ({@code PATTERN=KEY,...};
     * empty: every stream is its own key).
     *
     * @throws IllegalArgumentException naming {@code partitions} or {@code partition.keys} and the reason
     */
    public static PartitionRule of(int partitions, String keys) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions: must be >= 1, was " + partitions);
        }
        Objects.requireNonNull(keys, "partition.keys");
        List<KeyPattern> patterns = new ArrayList<>();
        if (!keys.isBlank()) {
            for (String entry : keys.split(",", -1)) {
                patterns.add(KeyPattern.parse(entry.strip()));
            }
        }
        return new PartitionRule(partitions, patterns);
    }

    /** {@link #REFERENCE_KEYS} over {@code partitions} partitions. */
    public static PartitionRule reference(int partitions) {
        return of(partitions, REFERENCE_KEYS);
    }

    public int partitions() {
        return partitions;
    }

    /**
     * The partition holding {@code stream}. The audit trail ({@code ops-*}) is in partition 0
     * whatever the keys: the projection engine records its operations there, a node's token changes
     * are applied from there, and an audit reads one partition in one order.
     */
    public int partitionOf(String stream) {
        if (stream.startsWith(Operations.STREAM_PREFIX)) {
            return 0;
        }
        byte[] key = keyOf(stream).getBytes(StandardCharsets.UTF_8);
        return Utils.toPositive(Utils.murmur2(key)) % partitions;
    }

    /** The partition key of {@code stream}: the first matching pattern's key, else the name itself. */
    public String keyOf(String stream) {
        for (KeyPattern pattern : patterns) {
            String key = pattern.keyOf(stream);
            if (key != null) {
                return key;
            }
        }
        return stream;
    }

    /** The keys as written ({@code PATTERN=KEY,...}), for {@code partition.keys} and messages. */
    public String keys() {
        List<String> written = new ArrayList<>();
        patterns.forEach(p -> written.add(p.toString()));
        return String.join(",", written);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PartitionRule r && r.partitions == partitions && r.patterns.equals(patterns);
    }

    @Override
    public int hashCode() {
        return 31 * partitions + patterns.hashCode();
    }

    @Override
    public String toString() {
        return "partitions=" + partitions + "&partition.keys=" + keys();
    }

    /** {@code prefix*suffix=key} (or a literal with no {@code *}). */
    private record KeyPattern(String prefix, String suffix, boolean wildcard, String key) {

        static KeyPattern parse(String entry) {
            int eq = entry.indexOf('=');
            if (eq <= 0 || eq == entry.length() - 1) {
                throw new IllegalArgumentException("partition.keys: '" + entry + "' is not PATTERN=KEY");
            }
            String pattern = entry.substring(0, eq);
            String key = entry.substring(eq + 1);
            int star = pattern.indexOf('*');
            if (star != pattern.lastIndexOf('*')) {
                throw new IllegalArgumentException("partition.keys: pattern '" + pattern + "' has more than one *");
            }
            if (key.indexOf('*') != key.lastIndexOf('*') || (star < 0 && key.indexOf('*') >= 0)) {
                throw new IllegalArgumentException("partition.keys: key '" + key
                    + "' may use * once, and only when its pattern '" + pattern + "' has one");
            }
            if (star < 0) {
                return new KeyPattern(pattern, "", false, key);
            }
            return new KeyPattern(pattern.substring(0, star), pattern.substring(star + 1), true, key);
        }

        /** The key of {@code stream}, or null when the pattern does not match it whole. */
        String keyOf(String stream) {
            if (!wildcard) {
                return stream.equals(prefix) ? key : null;
            }
            if (stream.length() <= prefix.length() + suffix.length() || !stream.startsWith(prefix) || !stream.endsWith(suffix)) {
                return null;
            }
            return key.replace("*", stream.substring(prefix.length(), stream.length() - suffix.length()));
        }

        @Override
        public String toString() {
            return (wildcard ? prefix + "*" + suffix : prefix) + "=" + key;
        }
    }
}
