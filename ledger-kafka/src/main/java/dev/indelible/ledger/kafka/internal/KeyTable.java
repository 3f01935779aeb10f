package dev.indelible.ledger.kafka.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * What the keys topic holds, as one node read it: the secret, every partition's keys by subject, the
 * subjects erased, which key records are still in the topic, and the records that do not parse. In
 * memory only.
 *
 * <p>Thread-safe; {@link #apply} is called by one thread at a time.
 */
final class KeyTable {
    private final String topic;
    /** The journal partition whose writer this node's keys are made by. */
    private final int partition;
    /** This partition's keys, by subject: the keys its writer seals with. */
    private final Map<String, byte[]> own = new ConcurrentHashMap<>();
    /** Every partition's keys by subject, for opening. */
    private final Map<String, Map<Integer, byte[]>> all = new ConcurrentHashMap<>();
    /** The partitions whose key of a subject is in the topic, not destroyed: what an erasure tombstones. */
    private final Map<String, Set<Integer>> live = new ConcurrentHashMap<>();
    private final Set<String> erased = ConcurrentHashMap.newKeySet();
    /** Records that do not parse, by record key (a later record under it resolves it): where and why. */
    private final Map<String, String> damage = new ConcurrentSkipListMap<>();
    private volatile byte[] secret;

    KeyTable(String topic, int partition) {
        this.topic = topic;
        this.partition = partition;
    }

    byte[] secret() {
        return secret;
    }

    byte[] own(String subject) {
        return own.get(subject);
    }

    /** This partition's key, else another partition's; null when it has none. */
    byte[] any(String subject) {
        byte[] key = own.get(subject);
        if (key != null) {
            return key;
        }
        Map<Integer, byte[]> keys = all.get(subject);
        return keys == null ? null : keys.values().stream().findFirst().orElse(null);
    }

    List<byte[]> keys(String subject) {
        Map<Integer, byte[]> keys = all.get(subject);
        return keys == null ? List.of() : List.copyOf(keys.values());
    }

    /** Every subject's key, this partition's first: for a copy into one key per subject. */
    Map<String, byte[]> oneKeyEach() {
        Map<String, byte[]> keys = new java.util.HashMap<>();
        all.keySet().forEach(subject -> {
            byte[] key = any(subject);
            if (key != null) {
                keys.put(subject, key);
            }
        });
        return keys;
    }

    int subjects() {
        return all.size();
    }

    boolean isErased(String subject) {
        return erased.contains(subject);
    }

    Set<String> erased() {
        return new TreeSet<>(erased);
    }

    /** Whether a key of the subject is still in the topic. */
    boolean inTopic(String subject) {
        return !live.getOrDefault(subject, Set.of()).isEmpty();
    }

    /** A key this node's writer made, before it is sent. */
    void made(String subject, byte[] key) {
        own.put(subject, key);
        all.computeIfAbsent(subject, s -> new ConcurrentHashMap<>()).put(partition, key);
    }

    /** Drops the subject's keys from memory for good. */
    void forget(String subject) {
        erased.add(subject);
        own.remove(subject);
        all.remove(subject);
    }

    /** The first damage found, or null. */
    String firstDamage() {
        return damage.isEmpty() ? null : damage.values().iterator().next();
    }

    void damaged(String name, String where) {
        damage.put(name, where);
    }

    /** The tombstones of every key of the subject (this node's key included, though perhaps not read back yet), then its erased record. */
    List<ProducerRecord<byte[], byte[]>> erasureRecords(String subject) {
        Set<Integer> partitions = new TreeSet<>(live.getOrDefault(subject, Set.of()));
        if (own.containsKey(subject)) {
            partitions.add(partition);
        }
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        partitions.forEach(p -> records.add(KeyRecordFormat.tombstone(topic, p, subject)));
        records.add(KeyRecordFormat.erased(topic, subject));
        return records;
    }

    /** The tombstones of this partition's keys of erased subjects that are still in the topic (made after the erasure). */
    List<ProducerRecord<byte[], byte[]>> lateKeys() {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (String subject : erased) {
            if (live.getOrDefault(subject, Set.of()).contains(partition)) {
                records.add(KeyRecordFormat.tombstone(topic, partition, subject));
            }
        }
        return records;
    }

    /**
     * Applies one record read.
     *
     * @return whether it leaves a key of this partition of an erased subject in the topic (to destroy)
     */
    boolean apply(ConsumerRecord<byte[], byte[]> r) {
        String name = r.key() == null ? "offset " + r.offset() : new String(r.key(), StandardCharsets.UTF_8);
        KeyRecordFormat.KeyRecord record;
        try {
            record = KeyRecordFormat.parse(r.key(), r.value());
        } catch (KeyRecordFormat.Damage d) {
            damage.put(name, "has a record at offset " + r.offset() + " (key '" + name + "') that " + d.getMessage());
            return false;
        }
        damage.remove(name);
        String subject = record.subject();
        switch (record.kind()) {
            case KeyRecordFormat.SECRET -> {
                if (secret == null && !record.tombstone()) {
                    secret = record.bytes();
                    damage.remove(KafkaKeys.NO_SECRET);
                }
                return false;
            }
            case KeyRecordFormat.KEY -> {
                return record.tombstone() ? destroyed(subject, record.partition()) : key(subject, record.partition(), record.bytes());
            }
            default -> {
                if (record.tombstone()) {
                    return false; // an erasure stands: the journal's ops.erase says so too
                }
                forget(subject);
                return live.getOrDefault(subject, Set.of()).contains(partition);
            }
        }
    }

    private boolean destroyed(String subject, int p) {
        live.computeIfPresent(subject, (s, parts) -> parts.remove(p) && parts.isEmpty() ? null : parts);
        Map<Integer, byte[]> keys = all.get(subject);
        if (keys != null) {
            keys.remove(p);
        }
        if (p == partition) {
            own.remove(subject);
        }
        return false;
    }

    private boolean key(String subject, int p, byte[] key) {
        live.computeIfAbsent(subject, s -> ConcurrentHashMap.newKeySet()).add(p);
        if (erased.contains(subject)) {
            return p == partition;
        }
        all.computeIfAbsent(subject, s -> new ConcurrentHashMap<>()).putIfAbsent(p, key);
        if (p == partition) {
            own.putIfAbsent(subject, key);
        }
        return false;
    }
}
