package dev.indelible.ledger.kafka.internal;

import dev.indelible.ledger.LedgerException;
import dev.indelible.ledger.spi.JournalCursor;
import dev.indelible.ledger.spi.RecordBuffer;
import java.time.Duration;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads the partition with a {@code read_committed} consumer assigned to it (no consumer group,
 * no committed offsets: the ledger keeps its own positions). A writer's cursor also returns the
 * records of the open transaction, from the writer's memory, after every committed one.
 *
 * <p>Not thread-safe.
 */
final class KafkaCursor implements JournalCursor {
    private static final Duration POLL = Duration.ofMillis(50);

    private final KafkaJournal journal;
    private final boolean seesUnsynced;
    private final TopicPartition partition;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String location;
    private Iterator<ConsumerRecord<byte[], byte[]>> fetched = Collections.emptyIterator();
    /** The offset of the next record to return: anything below is skipped. */
    private long nextOffset;
    /** After a seek: the offset the next record must have, or -1. */
    private long sought = -1;
    private boolean positioned;

    KafkaCursor(KafkaJournal journal, boolean seesUnsynced, boolean seeksOften) {
        this.journal = journal;
        this.seesUnsynced = seesUnsynced;
        this.partition = journal.partition();
        this.location = partition.topic() + "-" + partition.partition();
        this.consumer = new KafkaConsumer<>(journal.consumerSettings(seeksOften));
        consumer.assign(List.of(partition));
    }

    @Override
    public boolean next(RecordBuffer into) {
        while (true) {
            while (fetched.hasNext()) {
                ConsumerRecord<byte[], byte[]> record = fetched.next();
                if (record.offset() >= nextOffset) {
                    return deliver(record.offset(), record.value(), into);
                }
            }
            long end = journal.committedEnd();
            if (nextOffset >= end || (seesUnsynced && nextOffset > journal.lastCommittedData())) {
                return seesUnsynced && nextUnsynced(end, into);
            }
            if (!positioned) {
                consumer.seek(partition, nextOffset);
                positioned = true;
            }
            ConsumerRecords<byte[], byte[]> records = fetch(end);
            if (records.isEmpty()) {
                if (end == Long.MAX_VALUE) {
                    return false; // a reader at the end of the partition, for now
                }
                nextOffset = Math.max(nextOffset, end); // only markers were left below the end
                continue;
            }
            fetched = records.records(partition).iterator();
        }
    }

    /**
     * The open transaction's next record. Every committed record was returned already; offsets left
     * below {@code end} hold only transaction markers.
     */
    private boolean nextUnsynced(long end, RecordBuffer into) {
        Map.Entry<Long, byte[]> record = journal.unsyncedFrom(Math.max(nextOffset, end));
        if (record == null) {
            return false;
        }
        positioned = false;
        return deliver(record.getKey(), record.getValue(), into);
    }

    private boolean deliver(long offset, byte[] value, RecordBuffer into) {
        if (sought >= 0 && offset != sought) {
            // The sought record is not in the partition: say so rather than return another.
            sought = -1;
            fetched = Collections.emptyIterator();
            return false;
        }
        sought = -1;
        System.arraycopy(value, 0, into.prepare(value.length), 0, value.length);
        into.locate(offset, location, offset);
        nextOffset = offset + 1;
        return true;
    }

    /** Records from the consumer; empty once it is at {@code end} (or, for a reader, at the partition's end). */
    private ConsumerRecords<byte[], byte[]> fetch(long end) {
        try {
            ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ZERO);
            long deadline = System.nanoTime() + journal.timeout().toNanos();
            while (records.isEmpty()) {
                if (atEnd(end)) {
                    return records;
                }
                if (System.nanoTime() > deadline) {
                    throw new LedgerException(journal.describe() + ": cannot read offset " + nextOffset + " within "
                        + journal.timeout().toMillis() + " ms");
                }
                records = consumer.poll(POLL);
            }
            return records;
        } catch (KafkaException e) {
            throw new LedgerException(journal.describe() + ": cannot read from offset " + nextOffset + ": " + e.getMessage(), e);
        }
    }

    private boolean atEnd(long end) {
        if (end != Long.MAX_VALUE) {
            return consumer.position(partition) >= end;
        }
        OptionalLong lag = consumer.currentLag(partition);
        if (lag.isEmpty() || lag.getAsLong() > 0) {
            return false;
        }
        if (sought >= 0) {
            // A seek goes to a record an index points at, while the lag is from the consumer's last fetch:
            // before that record for a pooled cursor. The broker says where the end is now.
            Long committed = consumer.endOffsets(List.of(partition), journal.timeout()).get(partition);
            return committed != null && consumer.position(partition) >= committed;
        }
        return true;
    }

    @Override
    public boolean seek(long address) {
        if (address < 0) {
            return false;
        }
        nextOffset = address;
        sought = address;
        fetched = Collections.emptyIterator();
        positioned = false;
        return true;
    }

    @Override
    public void toStart() {
        nextOffset = 0;
        sought = -1;
        fetched = Collections.emptyIterator();
        positioned = false;
    }

    @Override
    public void close() {
        consumer.close(Duration.ZERO);
    }
}
