package dev.indelible.ledger.kafka.internal;

import dev.indelible.ledger.InvalidEventException;
import dev.indelible.ledger.LedgerException;
import dev.indelible.ledger.kafka.KafkaJournalConfig;
import dev.indelible.ledger.spi.Journal;
import dev.indelible.ledger.spi.JournalCursor;
import dev.indelible.ledger.spi.RecordOutput;
import dev.indelible.ledger.spi.WriteTransaction;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The journal on one partition of a Kafka topic. One transactional writer: opening fences every
 * older writer with the same transactional id ({@code initTransactions}), and a fenced writer fails
 * its next append or sync instead of writing. Records written go into an open transaction;
 * {@link #sync} commits it, so under the ledger's group commit an append is acknowledged only once
 * its transaction is committed on the in-sync replicas.
 *
 * <p>Addresses are Kafka offsets. The first record of each transaction waits for its offset (one
 * round trip per commit): between transactions the partition can hold more than the one commit
 * marker, because a transaction coordinator that took over re-sends the markers of a commit it
 * found prepared but not completed, and the partition appends them again. Within a transaction
 * this writer is the partition's only producer, so its records land one after another; every
 * send's real offset is checked against that, and a record that landed elsewhere (another
 * producer on the partition) fails the transaction before anything is acknowledged.
 *
 * <p>No record can be sent while a commit is in flight, so a commit waits first while records keep
 * coming ({@link #sync}): an appender that writes one record at a time (a stream of NDJSON lines,
 * a follower's forwarded appends) gets all it has into the transaction, not one per commit.
 *
 * <p>Thread-safe.
 */
public final class KafkaJournal implements Journal {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaJournal.class);
    private static final AtomicInteger CURSORS = new AtomicInteger();
    /** Bounds of the gap between records that a commit waits for (a quarter of the last commit's time). */
    private static final long MIN_QUIET_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long MAX_QUIET_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final KafkaJournalConfig config;
    private final TopicPartition partition;
    private final ClientSettings settings;
    private final KafkaProducer<byte[], byte[]> producer;
    private final int maxRecordBytes;
    private final Object writeLock = new Object();
    private final Output output = new Output();
    /** The open transaction's records by offset: the writer's own cursors read them before they commit. */
    private final ConcurrentSkipListMap<Long, byte[]> unsynced = new ConcurrentSkipListMap<>();
    /** Offsets below are committed (or markers); the writer's cursors never fetch beyond. MAX when read-only. */
    private volatile long committedEnd;
    /** The last committed data record's offset, as far as this writer knows. */
    private volatile long lastCommittedData;
    /** Where the next record will land; -1 until the first send of the transaction tells. Under writeLock. */
    private long nextOffset = -1;
    private boolean inTransaction;
    private volatile String sendFailure;
    private volatile Exception sendError;
    /** When the last record was written ({@link System#nanoTime}). */
    private volatile long lastWrite;
    /** How long the last commit took: a commit lingers for a fraction of it. */
    private volatile long lastCommitNanos;
    private IOException failure;
    /** Records of other topics sent in the transaction of the next record written: the personal-data keys it needs. */
    private volatile Supplier<List<ProducerRecord<byte[], byte[]>>> carried = List::of;

    private KafkaJournal(KafkaJournalConfig config, ClientSettings settings, KafkaProducer<byte[], byte[]> producer,
                         int maxRecordBytes, long committedEnd) {
        this.config = config;
        this.partition = new TopicPartition(config.topic(), config.partition());
        this.settings = settings;
        this.producer = producer;
        this.maxRecordBytes = maxRecordBytes;
        this.committedEnd = committedEnd;
        this.lastCommittedData = committedEnd == Long.MAX_VALUE ? Long.MAX_VALUE : committedEnd - 1;
    }

    /**
     * Checks (or creates) the topic, fences older writers, and returns the partition's writer.
     * Once this returns, no older writer can commit to the partition.
     */
    public static KafkaJournal openWriter(KafkaJournalConfig config) {
        ClientSettings settings = new ClientSettings(config);
        int maxMessageBytes;
        KafkaProducer<byte[], byte[]> producer;
        try (Admin admin = Admin.create(settings.admin())) {
            maxMessageBytes = TopicCheck.ensure(admin, config);
            producer = new KafkaProducer<>(settings.producer(maxMessageBytes));
            try {
                producer.initTransactions();
                long end = TopicCheck.get(admin.listOffsets(
                        Map.of(new TopicPartition(config.topic(), config.partition()), OffsetSpec.latest()),
                        new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all(), config, "find the end of the partition")
                    .values().iterator().next().offset();
                LOG.info("{}: writer '{}' fenced any older writer; partition ends at offset {}", config.describe(),
                    config.transactionalId(), end);
                // Room for the batch header around one record.
                return new KafkaJournal(config, settings, producer, maxMessageBytes - 512, end);
            } catch (RuntimeException e) {
                producer.close(Duration.ZERO);
                throw e instanceof LedgerException ? e : new LedgerException(config.describe()
                    + ": cannot become the partition's writer: " + e.getMessage(), e);
            }
        }
    }

    /**
     * Checks (or creates) the topic of a journal over {@code partitions} partitions: safe settings,
     * and exactly that many partitions.
     */
    public static void ensureTopic(KafkaJournalConfig config, int partitions) {
        try (Admin admin = Admin.create(new ClientSettings(config).admin())) {
            TopicCheck.ensurePartitions(admin, config, partitions);
        }
    }

    /** A journal that only reads: committed records, with no writer and no fencing. */
    public static KafkaJournal openReader(KafkaJournalConfig config) {
        ClientSettings settings = new ClientSettings(config);
        try (Admin admin = Admin.create(settings.admin())) {
            TopicCheck.ensure(admin, config.withCreateTopic(false));
        }
        return new KafkaJournal(config, settings, null, 0, Long.MAX_VALUE);
    }

    @Override
    public long write(WriteTransaction transaction) throws IOException {
        synchronized (writeLock) {
            if (producer == null) {
                throw new IOException(describe() + " was opened to read only");
            }
            if (failure != null) {
                throw failure;
            }
            output.written = null;
            transaction.run(output);
            byte[] record = output.written;
            if (record == null) {
                return -1;
            }
            if (record.length > maxRecordBytes) {
                throw new InvalidEventException("events", "the append encodes to " + record.length
                    + " bytes; the Kafka topic takes records up to " + maxRecordBytes
                    + " bytes (its max.message.bytes less the batch header): append fewer or smaller events");
            }
            try {
                if (!inTransaction) {
                    producer.beginTransaction();
                    inTransaction = true;
                }
                sendAll(carried.get());
                long expected = nextOffset;
                var sent = producer.send(new ProducerRecord<>(partition.topic(), partition.partition(), null, record),
                    (metadata, e) -> checkLanded(expected, metadata, e));
                if (nextOffset < 0) {
                    // The first record of the transaction: learn where it landed, past any extra marker.
                    producer.flush();
                    nextOffset = sent.get(config.timeout().toMillis(), TimeUnit.MILLISECONDS).offset();
                    if (nextOffset > committedEnd) {
                        checkGap(committedEnd, nextOffset);
                    }
                }
            } catch (KafkaException | ExecutionException | java.util.concurrent.TimeoutException e) {
                throw fail("cannot send a record", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw fail("interrupted while sending a record", e);
            }
            long address = nextOffset++;
            unsynced.put(address, record);
            lastWrite = System.nanoTime();
            return address;
        }
    }

    /**
     * Sends {@code records} of other topics with every record written from now on, first, in its
     * transaction: {@code records} hands out each once (the keys a record's events were sealed with).
     */
    public void carry(Supplier<List<ProducerRecord<byte[], byte[]>>> records) {
        this.carried = records;
    }

    /**
     * Commits {@code records} of other topics (the open transaction's records with them, if any):
     * a keys topic's secret, or a key's tombstone, that no event waits for.
     *
     * @throws IOException when they cannot be committed; the journal then fails as on any failed commit
     */
    public void commitRecords(List<ProducerRecord<byte[], byte[]>> records) throws IOException {
        synchronized (writeLock) {
            if (producer == null) {
                throw new IOException(describe() + " was opened to read only");
            }
            if (failure != null) {
                throw failure;
            }
            try {
                if (!inTransaction) {
                    producer.beginTransaction();
                    inTransaction = true;
                }
                sendAll(records);
            } catch (KafkaException e) {
                throw fail("cannot send a record", e);
            }
        }
        sync();
    }

    /** Under writeLock, in the open transaction: a failed send fails the transaction at its commit. */
    private void sendAll(List<ProducerRecord<byte[], byte[]>> records) {
        for (ProducerRecord<byte[], byte[]> record : records) {
            producer.send(record, (metadata, e) -> checkLanded(-1, metadata, e));
        }
    }

    /**
     * Under writeLock, when a transaction's first record landed past the offset after the last
     * commit marker: fails the journal if another producer committed a record in between (the
     * ledger's readers would meet it); markers written twice and aborted records are harmless.
     * Rare (a leader or coordinator change), so a consumer of its own is cheap enough.
     */
    private void checkGap(long from, long to) throws IOException {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerSettings(true))) {
            consumer.assign(List.of(partition));
            consumer.seek(partition, from);
            long deadline = System.nanoTime() + config.timeout().toNanos();
            // read_committed stops at this transaction's first offset, the partition's last stable offset now
            while (consumer.position(partition) < to) {
                for (ConsumerRecord<byte[], byte[]> foreign : consumer.poll(Duration.ofMillis(100))) {
                    if (foreign.offset() < to) {
                        throw fail("another producer committed a record at offset " + foreign.offset() + " of "
                            + partition + ", between this writer's transactions; the partition is not this ledger's"
                            + " alone: stop the other producer", null);
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw fail("cannot read offsets " + from + " to " + to + " of " + partition + " within "
                        + config.timeout(), null);
                }
            }
        } catch (KafkaException e) {
            throw fail("cannot read offsets " + from + " to " + to + " of " + partition, e);
        }
        LOG.info("{}: the transaction starts at offset {}, after {} more transaction marker(s) or aborted record(s) than"
            + " expected (commit markers written twice after a coordinator or leader change)", describe(), to, to - from);
    }

    /** Producer callback thread: notes a send that failed or landed where it was not expected. */
    private void checkLanded(long expected, RecordMetadata metadata, Exception e) {
        if (e != null) {
            sendError = e;
            sendFailure = "a record was not written";
        } else if (expected >= 0 && metadata.offset() != expected) {
            sendFailure = "a record expected at offset " + expected + " landed at " + metadata.offset()
                + " of " + partition + " (another producer wrote to the partition within this writer's"
                + " transaction); the writer stops rather than index it at the wrong offset: reopen it";
        }
    }

    /** Commits the open transaction: every record written so far is then on the in-sync replicas. */
    @Override
    public void sync() throws IOException {
        awaitQuiet();
        synchronized (writeLock) {
            if (failure != null) {
                throw failure;
            }
            if (!inTransaction) {
                return;
            }
            try {
                long began = System.nanoTime();
                producer.flush();
                if (sendFailure != null) {
                    throw fail(sendFailure, sendError);
                }
                producer.commitTransaction();
                lastCommitNanos = System.nanoTime() - began;
            } catch (KafkaException e) {
                throw fail("cannot commit the transaction", e);
            }
            inTransaction = false;
            if (nextOffset >= 0) { // a transaction of other topics' records only writes no marker here
                lastCommittedData = nextOffset - 1;
                committedEnd = nextOffset + 1; // past the commit marker; any extra marker lies beyond, never fetched
            }
            nextOffset = -1;
            unsynced.clear();
        }
    }

    /**
     * Outside writeLock, before a commit, which stops every writer for its round trips: waits while
     * records keep coming less than a quarter of the last commit's time apart (1 to 10 ms), for at
     * most half of it. Without it the group commit took the lock between two records of one
     * appender, and such an appender got one record into each commit. A lone append waits one gap.
     */
    private void awaitQuiet() {
        long commit = lastCommitNanos;
        long quiet = Math.max(MIN_QUIET_NANOS, Math.min(MAX_QUIET_NANOS, commit / 4));
        long deadline = System.nanoTime() + Math.max(quiet, commit / 2);
        while (true) {
            long now = System.nanoTime();
            long quietAt = lastWrite + quiet;
            if (now - quietAt >= 0 || now - deadline >= 0) {
                return;
            }
            LockSupport.parkNanos(Math.min(quietAt - now, deadline - now));
        }
    }

    /** Under writeLock: stops the journal for good; appends since the last commit are never acknowledged. */
    private IOException fail(String what, Exception cause) {
        Exception fencedBy = fencing(cause) ? cause : null;
        if (fencedBy == null && inTransaction) {
            try {
                // Ends the transaction now, so readers are not held back until it times out.
                producer.abortTransaction();
            } catch (KafkaException e) {
                // A commit racing a newer writer's fencing can fail with a generic server error; the abort then says so.
                fencedBy = fencing(e) ? e : null;
                if (fencedBy == null) {
                    LOG.warn("{}: cannot abort the failed transaction; it ends when it times out", describe(), e);
                }
            }
        }
        String message = fencedBy != null
            ? describe() + ": no longer the writer: a newer writer with transactional id '" + config.transactionalId()
            + "' took over the partition (or the coordinator aborted a transaction open longer than its timeout);"
            + " appends since the last commit are not acknowledged (" + fencedBy + ")"
            : describe() + ": " + what + (cause == null ? "" : ": " + cause)
            + "; appends since the last commit are not acknowledged";
        failure = new IOException(message, cause);
        inTransaction = false;
        unsynced.clear();
        LOG.error(message);
        return failure;
    }

    private static boolean fencing(Exception e) {
        return e != null && (fencingError(e) || fencingError(e.getCause()));
    }

    // Under transactions v2 a commit racing the coordinator's abort for a newer writer's fencing (or a timeout)
    // fails with INVALID_TXN_STATE instead of PRODUCER_FENCED (KAFKA-20785); the transaction was rolled back.
    private static boolean fencingError(Throwable e) {
        return e instanceof ProducerFencedException || e instanceof InvalidProducerEpochException
            || e instanceof InvalidTxnStateException;
    }

    @Override
    public JournalCursor openCursor() {
        return new KafkaCursor(this, false, false);
    }

    @Override
    public JournalCursor openWriterCursor() {
        return new KafkaCursor(this, producer != null, true);
    }

    TopicPartition partition() {
        return partition;
    }

    Map<String, Object> consumerSettings(boolean writer) {
        return settings.consumer("indelible-" + config.topic() + "-" + config.partition() + "-cursor-"
            + CURSORS.incrementAndGet(), writer ? 1 : 10);
    }

    Duration timeout() {
        return config.timeout();
    }

    long committedEnd() {
        return committedEnd;
    }

    long lastCommittedData() {
        return lastCommittedData;
    }

    /** The first record of the open transaction at or after {@code offset}, or null. */
    Map.Entry<Long, byte[]> unsyncedFrom(long offset) {
        return unsynced.ceilingEntry(offset);
    }

    @Override
    public String describe() {
        return "Kafka journal " + config.describe();
    }

    @Override
    public void close() {
        synchronized (writeLock) {
            if (producer == null) {
                return;
            }
            if (inTransaction && failure == null) {
                try {
                    producer.abortTransaction();
                } catch (KafkaException e) {
                    LOG.warn("{}: cannot abort the open transaction at close", describe(), e);
                }
            }
            producer.close(config.timeout());
        }
    }

    private static final class Output implements RecordOutput {
        byte[] written;

        @Override
        public void write(byte[] data, int offset, int length) {
            if (written != null) {
                throw new IllegalStateException("a transaction writes at most one record");
            }
            written = Arrays.copyOfRange(data, offset, offset + length);
        }
    }
}
