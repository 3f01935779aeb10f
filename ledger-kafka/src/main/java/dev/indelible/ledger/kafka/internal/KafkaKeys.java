package dev.indelible.ledger.kafka.internal;

import dev.indelible.ledger.LedgerException;
import dev.indelible.ledger.kafka.KafkaJournalConfig;
import dev.indelible.ledger.spi.SubjectKeys;
import java.io.IOException;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kafka ledger's personal-data keys, kept in the keys topic beside the journal's topic
 * ({@link KeysTopic}, records as {@link KeyRecordFormat}) and in memory only on every node
 * ({@link KeyTable}). A writer's new key is sent in the Kafka transaction of the first event sealed
 * with it (the journal carries it, {@link KafkaJournal#carry}), so no event is visible without its
 * key, and an aborted transaction takes both away. An erasure's tombstones and erased record go in
 * the transaction of its {@code ops.erase} event: after a crash both are there or neither. Every
 * node follows the topic (read_committed) and drops a key when it reads its tombstone or its
 * subject's erased record.
 *
 * <p>Several writers (one per journal partition) each make their own key for a subject, under the
 * record key of their partition, so compaction keeps every one; an erasure destroys all of them, and
 * a writer that made a key after the erasure (it had not read it yet) destroys it when it reads it.
 *
 * <p>Thread-safe.
 */
public final class KafkaKeys implements SubjectKeys {
    /** The damage entry of a missing secret. */
    static final String NO_SECRET = "secret:";
    private static final Logger LOG = LoggerFactory.getLogger(KafkaKeys.class);
    /** How long an opener waits for a key it does not know yet: its transaction's marker may land a moment after the event's. */
    private static final long KEY_WAIT_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final AtomicInteger READERS = new AtomicInteger();

    private final KafkaJournalConfig journal;
    private final String topic;
    private final KeyTable table;
    /** Null for a reader. */
    private final KafkaJournal writer;
    private final KeysReader reader;
    private final SecureRandom random = newRandom();
    private final Object making = new Object();
    /** Keys made and not yet sent: the next record written carries them. */
    private final Queue<ProducerRecord<byte[], byte[]>> made = new ConcurrentLinkedQueue<>();
    /** An erasure's records, for the record of its ops.erase event; set and taken under the appender's lock. */
    private volatile List<ProducerRecord<byte[], byte[]>> erasure = List.of();
    private volatile String erasing;
    /** Subjects whose erasure records this writer sent with their ops.erase event: nothing of them is left to destroy. */
    private final Set<String> erasedHere = ConcurrentHashMap.newKeySet();
    /** Subjects whose key was waited for and did not come: not waited for again. */
    private final Set<String> missing = ConcurrentHashMap.newKeySet();
    private volatile long erasuresApplied = -1;
    private volatile boolean closed;

    private KafkaKeys(KafkaJournalConfig journal, KafkaJournal writer) {
        this.journal = journal;
        this.topic = KeysTopic.name(journal);
        this.table = new KeyTable(topic, journal.partition());
        this.writer = writer;
        this.reader = new KeysReader(journal, table, describe(), "indelible-" + topic + "-" + journal.partition() + "-"
            + (writer == null ? "reader-" : "writer-") + READERS.incrementAndGet(), () -> {
                if (writer != null) {
                    commit(table.lateKeys());
                }
            });
    }

    /**
     * The keys of the journal's ledger, read to the end of the keys topic; null when it keeps none: a
     * journal written in clear before (events, no keys topic), or a ledger that seals nothing on a
     * journal without keys. The first writer of an empty journal creates the topic and the secret.
     *
     * @param writer the partition's writer, which sends keys in its transactions; null for a reader
     * @throws LedgerException naming the topic and offset when a record is damaged, or the secret is
     *                         missing while the journal holds events
     */
    public static KafkaKeys open(KafkaJournalConfig journal, KafkaJournal writer, boolean personalData) {
        boolean empty;
        try (Admin admin = Admin.create(new ClientSettings(journal).admin())) {
            empty = KeysTopic.journalEmpty(admin, journal);
            if (!KeysTopic.exists(admin, journal) && (!personalData || !empty)) {
                if (personalData) {
                    LOG.warn("{}: no keys topic '{}' beside a journal with events: personal fields are stored in clear and"
                        + " reservation streams named by the address, as before sealing on Kafka (if this journal held"
                        + " sealed values, its keys topic was deleted: restore it)", journal.describe(), KeysTopic.name(journal));
                }
                return null;
            }
            KeysTopic.ensure(admin, journal);
        }
        KafkaKeys keys = new KafkaKeys(journal, writer);
        try {
            keys.reader.catchUp();
            if (keys.table.secret() == null && writer != null && empty) {
                keys.makeSecret();
            } else if (keys.table.secret() == null && !empty) {
                keys.table.damaged(NO_SECRET, "holds no secret record while the journal holds events (it was deleted,"
                    + " or the topic replaced; offsets 0 to " + keys.reader.position() + " read)");
            }
            keys.checkUsable();
            if (writer != null) {
                keys.commit(keys.table.lateKeys());
            }
            keys.reader.start();
            return keys;
        } catch (RuntimeException e) {
            keys.close();
            throw e;
        }
    }

    /**
     * Writes an embedded key store's secret, keys (as this partition's) and erasures into the keys topic
     * of an empty journal, before its first event is copied in (export-journal onto Kafka).
     *
     * @throws LedgerException when the journal holds events or its keys topic holds records
     */
    public static void importKeys(KafkaJournalConfig journal, SubjectKeys.Contents contents) {
        String topic = KeysTopic.name(journal);
        ClientSettings settings = new ClientSettings(journal);
        try (Admin admin = Admin.create(settings.admin())) {
            if (!KeysTopic.journalEmpty(admin, journal)) {
                throw new LedgerException(journal.describe() + " holds events: keys are imported into an empty journal only");
            }
            KeysTopic.ensure(admin, journal);
            if (!KeysTopic.empty(admin, journal)) {
                throw new LedgerException("keys topic '" + topic + "' of " + journal.describe()
                    + " holds records already: keys are imported into a new keys topic only");
            }
        }
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        byte[] id = new byte[8];
        newRandom().nextBytes(id);
        records.add(KeyRecordFormat.secret(topic, contents.secret(), id));
        contents.keys().forEach((subject, key) -> records.add(KeyRecordFormat.key(topic, journal.partition(), subject, key)));
        contents.erased().forEach(subject -> records.add(KeyRecordFormat.erased(topic, subject)));
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(settings.plainProducer("indelible-" + topic + "-import"))) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            records.forEach(r -> sent.add(producer.send(r)));
            producer.flush();
            for (Future<RecordMetadata> one : sent) {
                one.get(journal.timeout().toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new LedgerException("cannot import keys into keys topic '" + topic + "': " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LedgerException("interrupted while importing keys into keys topic '" + topic + "'", e);
        }
    }

    /** Several writers may race to make the secret: each writes one, then every one takes the first committed. */
    private void makeSecret() {
        byte[] id = new byte[8];
        byte[] fresh = new byte[KeyRecordFormat.KEY_BYTES];
        random.nextBytes(id);
        random.nextBytes(fresh);
        try {
            writer.commitRecords(List.of(KeyRecordFormat.secret(topic, fresh, id)));
        } catch (IOException e) {
            throw new LedgerException(describe() + ": cannot write the secret: " + e.getMessage(), e);
        }
        // read_committed: a secret below the last stable offset is settled, so the first one read is the first
        // committed; ours shows once the commit's marker reaches the keys partition.
        reader.awaitUntil(() -> table.secret() != null, journal.timeout().toNanos());
        if (table.secret() == null) {
            throw new LedgerException(describe() + ": the secret written is not read back");
        }
    }

    /** What the journal carries with its next record: keys made since, then an erasure's records. */
    public List<ProducerRecord<byte[], byte[]>> takeCarried() {
        List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>(0);
        for (ProducerRecord<byte[], byte[]> r; (r = made.poll()) != null; ) {
            out.add(r);
        }
        List<ProducerRecord<byte[], byte[]>> pending = erasure;
        if (!pending.isEmpty()) {
            erasure = List.of();
            out.addAll(pending);
        }
        return out;
    }

    @Override
    public byte[] secret() {
        if (table.secret() == null) {
            reader.awaitUntil(() -> table.secret() != null, KEY_WAIT_NANOS);
            if (table.secret() == null) {
                throw new LedgerException(describe() + " holds no secret yet: no writer has opened this journal");
            }
        }
        return table.secret();
    }

    @Override
    public byte[] keyFor(String subject) {
        byte[] key = table.own(subject);
        if (key != null || table.isErased(subject)) {
            return key;
        }
        if (writer == null) {
            throw new LedgerException(journal.describe() + " was opened to read only");
        }
        checkUsable();
        synchronized (making) {
            key = table.own(subject);
            if (key != null || table.isErased(subject)) {
                return key;
            }
            key = new byte[KeyRecordFormat.KEY_BYTES];
            random.nextBytes(key);
            table.made(subject, key);
            made.add(KeyRecordFormat.key(topic, journal.partition(), subject, key));
            return key;
        }
    }

    /** A subject with no key, waited for once: its values were sealed elsewhere (copied in), or its key was lost. */
    @Override
    public byte[] key(String subject) {
        byte[] key = table.any(subject);
        if (key == null && !table.isErased(subject) && !missing.contains(subject)) {
            reader.awaitUntil(() -> table.any(subject) != null || table.isErased(subject), KEY_WAIT_NANOS);
            key = table.any(subject);
            if (key == null && !table.isErased(subject)) {
                missing.add(subject); // the follower still adds its key if it comes
            }
        }
        return key;
    }

    @Override
    public List<byte[]> keys(String subject) {
        return table.keys(subject);
    }

    @Override
    public boolean isErased(String subject) {
        return table.isErased(subject);
    }

    @Override
    public Set<String> erasedSubjects() {
        return table.erased();
    }

    @Override
    public int keyCount() {
        return table.subjects();
    }

    @Override
    public long erasuresApplied() {
        return erasuresApplied;
    }

    /** Readies the tombstones of every key of the subject, then its erased record, for its ops.erase event's record. */
    @Override
    public void erasing(String subject) {
        if (writer == null) {
            throw new LedgerException(journal.describe() + " was opened to read only: erase through its writer (any"
                + " node of a cluster, which forwards it to the writer, or `indelible erase --journal ...`, which becomes"
                + " the writer)");
        }
        checkUsable();
        reader.catchUp();
        erasure = table.erasureRecords(subject);
        erasing = subject;
    }

    @Override
    public void erasingDone() {
        if (erasure.isEmpty() && erasing != null) {
            erasedHere.add(erasing); // taken by the ops.erase event's record
        }
        erasure = List.of();
        erasing = null;
    }

    /**
     * Erasures the journal records ({@code ops.erase}): their keys leave memory; a writer also destroys
     * any key of them still in the topic (a topic restored from before the erasure).
     */
    @Override
    public void erase(Set<String> subjects, long appliedThrough) {
        if (writer != null && !subjects.isEmpty()) {
            reader.catchUp();
        }
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (String subject : subjects) {
            if (writer != null && !erasedHere.contains(subject) && (table.inTopic(subject) || !table.isErased(subject))) {
                records.addAll(table.erasureRecords(subject));
            }
            table.forget(subject);
        }
        erasuresApplied = Math.max(erasuresApplied, appliedThrough);
        commit(records);
    }

    private void commit(List<ProducerRecord<byte[], byte[]>> records) {
        if (records.isEmpty()) {
            return;
        }
        try {
            writer.commitRecords(records);
        } catch (IOException e) {
            // The next writer of the partition destroys them when it opens.
            LOG.warn("{}: cannot destroy {} key record(s) of erased subjects now: {}", describe(), records.size(),
                e.getMessage());
        }
    }

    /** Refuses to make keys (so to append sealed events) while a record is damaged, naming it. */
    private void checkUsable() {
        String damage = table.firstDamage();
        if (damage != null) {
            throw new LedgerException("the " + describe() + " " + damage + ": nothing is appended until it is resolved"
                + " (produce the record again under its key from a copy of the topic, or a tombstone under its key; a key"
                + " destroyed so reads as erased)");
        }
    }

    @Override
    public String describe() {
        return "keys topic '" + topic + "' of " + journal.describe();
    }

    @Override
    public Path file() {
        return null;
    }

    @Override
    public void copyTo(Path dir) {
        SubjectKeys.writeKeyStore(dir, secret(), table.oneKeyEach(), table.erased());
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            reader.close();
        }
    }

    private static SecureRandom newRandom() {
        try {
            return SecureRandom.getInstance("DRBG");
        } catch (NoSuchAlgorithmException e) {
            return new SecureRandom();
        }
    }
}
