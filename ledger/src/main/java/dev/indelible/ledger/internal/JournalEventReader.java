package dev.indelible.ledger.internal;

import dev.indelible.ledger.CorruptJournalException;
import dev.indelible.ledger.EventHandler;
import dev.indelible.ledger.EventReader;
import dev.indelible.ledger.RecordedEvent;
import dev.indelible.ledger.spi.JournalCursor;
import dev.indelible.ledger.spi.RecordBuffer;
import java.util.function.Consumer;

/**
 * Reads events in {@code global_seq} order from any position: seeks through the sparse position
 * index, then checks every record it passes (checksums, the chain to the record before, dense
 * sequence) so a damaged event is never handed out.
 *
 * <p>Not thread-safe.
 */
final class JournalEventReader implements EventReader {
    private final JournalCursor cursor;
    private final Consumer<JournalCursor> release;
    private final RecordBuffer buffer = new RecordBuffer();
    private final RecordView view = new RecordView();
    private long position;
    /** Index of the next event of the loaded record to hand out; == count when none is loaded. */
    private int next;
    private int loadedCount;
    /** The global_seq after the loaded record's events, -1 before the first. */
    private long appendEnd = -1;
    private boolean chainKnown;
    private int chainCrc;

    /** Reads from {@code from}; hands {@code cursor} to {@code release} when closed. */
    JournalEventReader(JournalCursor cursor, Consumer<JournalCursor> release, SeqIndex positions,
                       long from) {
        this.cursor = cursor;
        this.release = release;
        this.position = from;
        long address = positions.floor(from);
        if (address < 0 || !cursor.seek(address)) {
            cursor.toStart();
        }
    }

    @Override
    public int poll(EventHandler handler, int limit) {
        int delivered = 0;
        while (delivered < limit) {
            if (next >= loadedCount && !loadNext()) {
                break;
            }
            RecordedEvent event = view.event(next++);
            if (event.globalSeq() != position) {
                throw new CorruptJournalException(position, buffer.location(),
                    "event holds global_seq " + event.globalSeq());
            }
            position++;
            handler.onEvent(event);
            delivered++;
        }
        return delivered;
    }

    /** Loads the next record holding {@link #position}; false at the head. */
    private boolean loadNext() {
        while (cursor.next(buffer)) {
            long peeked = RecordView.peekFirstSeq(buffer);
            if (!chainKnown && peeked >= 0 && peeked < position && peeked + RecordView.peekCount(buffer) <= position) {
                continue; // passed through after a seek: wholly before the start, not handed out
            }
            String problem = view.load(buffer);
            long first = view.firstSeq();
            if (problem != null) {
                throw new CorruptJournalException(problem.startsWith("CRC") ? first + view.firstBadEvent() : position,
                    buffer.location(), problem);
            }
            boolean chained = !chainKnown || view.prevCrc() == chainCrc;
            chainKnown = true;
            chainCrc = view.lastCrc();
            if (first + view.count() <= position) {
                continue; // before the start position: only passed through after a seek
            }
            if (!chained) {
                throw new CorruptJournalException(first, buffer.location(),
                    "checksum chain broken: the record does not follow the one before it");
            }
            if (first > position) {
                throw new CorruptJournalException(position, buffer.location(),
                    "global_seq " + position + " is missing: the next record starts at " + first);
            }
            next = (int) (position - first);
            loadedCount = view.count();
            appendEnd = first + loadedCount;
            return true;
        }
        return false;
    }

    @Override
    public long appendEnd() {
        return appendEnd;
    }

    @Override
    public long position() {
        return position;
    }

    @Override
    public void close() {
        release.accept(cursor);
    }
}
