package dev.indelible.ledger.kafka.internal;

import dev.indelible.ledger.DaemonThreads;
import dev.indelible.ledger.LedgerException;
import dev.indelible.ledger.kafka.KafkaJournalConfig;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the keys topic into a {@link KeyTable}, {@code read_committed}: to its end when asked, and
 * on a thread of its own as records are committed, so keys arrive before their events are read and
 * erasures drop keys on every node. One {@code assign()}-ed consumer, no group.
 *
 * <p>Thread-safe: callers and the thread share the consumer under a fair lock.
 */
final class KeysReader {
    private static final Logger LOG = LoggerFactory.getLogger(KeysReader.class);
    private static final Duration POLL = Duration.ofMillis(50);

    private final KafkaJournalConfig journal;
    private final TopicPartition partition;
    private final KeyTable table;
    private final String describe;
    /** Called outside the lock when a record read leaves a key of an erased subject to destroy. */
    private final Runnable onLateKey;
    private final KafkaConsumer<byte[], byte[]> consumer;
    /** Fair: the thread polls in a loop, and a caller catching up must get its turn. */
    private final ReentrantLock lock = new ReentrantLock(true);
    private final Thread thread;
    private volatile boolean closed;

    KeysReader(KafkaJournalConfig journal, KeyTable table, String describe, String clientId, Runnable onLateKey) {
        this.journal = journal;
        this.partition = new TopicPartition(KeysTopic.name(journal), 0);
        this.table = table;
        this.describe = describe;
        this.onLateKey = onLateKey;
        this.consumer = new KafkaConsumer<>(new ClientSettings(journal).consumer(clientId, 10));
        consumer.assign(List.of(partition));
        consumer.seekToBeginning(List.of(partition));
        this.thread = DaemonThreads.unstarted("indelible-keys-" + journal.partition(), this::follow);
    }

    /** Follows the topic from where the catch-ups left it. */
    void start() {
        thread.start();
    }

    /** The next offset to read. */
    long position() {
        lock.lock();
        try {
            return consumer.position(partition, journal.timeout());
        } finally {
            lock.unlock();
        }
    }

    /**
     * Reads the topic to its end (read_committed: its last stable offset), applying every record.
     *
     * @return whether a record read leaves a key of an erased subject to destroy
     */
    boolean catchUp() {
        boolean late = false;
        lock.lock();
        try {
            long end = consumer.endOffsets(List.of(partition), journal.timeout()).get(partition);
            long deadline = System.nanoTime() + journal.timeout().toNanos();
            while (consumer.position(partition, journal.timeout()) < end) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
                    late |= table.apply(r);
                }
                if (System.nanoTime() > deadline) {
                    throw new LedgerException(describe + ": cannot read to offset " + end + " within " + journal.timeout());
                }
            }
        } catch (KafkaException e) {
            throw new LedgerException(describe + ": cannot be read: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
        if (late && thread.isAlive()) {
            onLateKey.run();
        }
        return late;
    }

    /** Catches up until {@code done}, for at most {@code nanos}: a commit's marker reaches the keys partition a moment after its journal's. */
    void awaitUntil(BooleanSupplier done, long nanos) {
        long deadline = System.nanoTime() + nanos;
        do {
            catchUp();
        } while (!done.getAsBoolean() && System.nanoTime() < deadline && pause());
    }

    private static boolean pause() {
        try {
            Thread.sleep(20);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void follow() {
        while (!closed) {
            boolean late = false;
            lock.lock();
            try {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
                    late |= table.apply(r);
                }
            } catch (WakeupException | InterruptException e) {
                if (closed) {
                    return;
                }
            } catch (KafkaException e) {
                LOG.warn("{}: cannot be read now: {}", describe, e.getMessage());
                pause();
            } finally {
                lock.unlock();
            }
            if (late) {
                onLateKey.run();
            }
        }
    }

    void close() {
        closed = true;
        consumer.wakeup();
        if (thread.isAlive()) {
            try {
                thread.join(journal.timeout().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        lock.lock();
        try {
            consumer.close(Duration.ZERO);
        } finally {
            lock.unlock();
        }
    }
}
