package dev.indelible.ledger.internal;

import dev.indelible.ledger.EventHandler;
import dev.indelible.ledger.EventReader;
import dev.indelible.ledger.RecordedEvent;
import dev.indelible.ledger.Subscription;
import dev.indelible.ledger.spi.Journal;
import dev.indelible.ledger.spi.JournalCursor;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Supplier;

/**
 * A ledger's readers: journal reads in {@code global_seq} order and by stream, over pooled
 * cursors, and the subscriptions that follow the journal, woken after each append of this process.
 *
 * <p>Thread-safe.
 */
final class ReadSide implements AutoCloseable {
    private static final int MAX_IDLE_CURSORS = 16;

    private final Journal journal;
    private final SeqIndex positions;
    private final Set<FollowingSubscription> subscriptions = ConcurrentHashMap.newKeySet();
    /** Opening a Chronicle tailer costs 100 to 250 us: reads borrow idle cursors instead. */
    private final ConcurrentLinkedQueue<JournalCursor> idleCursors = new ConcurrentLinkedQueue<>();
    /** Stream reads follow the writer's index, which may point at records not synced yet. */
    private final ConcurrentLinkedQueue<JournalCursor> idleWriterCursors = new ConcurrentLinkedQueue<>();
    private volatile boolean closed;

    ReadSide(Journal journal, SeqIndex positions) {
        this.journal = journal;
        this.positions = positions;
    }

    EventReader openReader(long fromGlobalSeq) {
        if (fromGlobalSeq < 0) {
            throw new IllegalArgumentException("fromGlobalSeq: must be >= 0, was " + fromGlobalSeq);
        }
        return new JournalEventReader(borrow(idleCursors, journal::openCursor), c -> release(idleCursors, c), positions,
            fromGlobalSeq);
    }

    List<RecordedEvent> read(long fromGlobalSeq, int limit) {
        List<RecordedEvent> events = new ArrayList<>(Math.min(limit, 4096));
        try (EventReader reader = openReader(fromGlobalSeq)) {
            while (events.size() < limit && reader.poll(events::add, limit - events.size()) > 0) {
                // poll until the limit or the head
            }
        }
        return events;
    }

    /** Reads a stream whose last record is at {@code lastAddress}, from {@code fromVersion}. */
    List<RecordedEvent> readStream(String stream, long lastAddress, long fromVersion, int limit) {
        try (StreamReader reader = new StreamReader(borrow(idleWriterCursors, journal::openWriterCursor),
            c -> release(idleWriterCursors, c))) {
            return reader.read(stream, lastAddress, fromVersion, limit);
        }
    }

    Subscription subscribe(long fromGlobalSeq, EventHandler handler) {
        if (handler == null) {
            throw new IllegalArgumentException("handler: is required");
        }
        FollowingSubscription subscription = new FollowingSubscription(openReader(fromGlobalSeq), handler,
            subscriptions::remove);
        subscriptions.add(subscription);
        subscription.start();
        return subscription;
    }

    /** After an append: subscriptions waiting at the head read on. */
    void wakeSubscriptions() {
        if (!subscriptions.isEmpty()) { // no iterator to allocate on the append path
            for (FollowingSubscription s : subscriptions) {
                s.wake();
            }
        }
    }

    private static JournalCursor borrow(ConcurrentLinkedQueue<JournalCursor> pool, Supplier<JournalCursor> open) {
        JournalCursor cursor = pool.poll();
        return cursor != null ? cursor : open.get();
    }

    private void release(ConcurrentLinkedQueue<JournalCursor> pool, JournalCursor cursor) {
        if (closed || pool.size() >= MAX_IDLE_CURSORS) {
            cursor.close();
        } else {
            pool.add(cursor);
        }
    }

    /** Ends every subscription and closes the idle cursors; a reader still open closes its own when done. */
    @Override
    public void close() {
        closed = true;
        for (FollowingSubscription s : List.copyOf(subscriptions)) {
            s.close();
        }
        for (JournalCursor cursor = idleCursors.poll(); cursor != null; cursor = idleCursors.poll()) {
            cursor.close();
        }
        for (JournalCursor cursor = idleWriterCursors.poll(); cursor != null; cursor = idleWriterCursors.poll()) {
            cursor.close();
        }
    }
}
