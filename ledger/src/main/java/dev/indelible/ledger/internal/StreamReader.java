package dev.indelible.ledger.internal;

import dev.indelible.ledger.CorruptJournalException;
import dev.indelible.ledger.RecordedEvent;
import dev.indelible.ledger.spi.JournalCursor;
import dev.indelible.ledger.spi.RecordBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads one stream without scanning the journal: walks back from the stream's last record along
 * each record's "previous record of the stream" link, then reads forward.
 *
 * <p>Not thread-safe.
 */
final class StreamReader implements AutoCloseable {
    private final JournalCursor cursor;
    private final java.util.function.Consumer<JournalCursor> release;
    private final RecordBuffer buffer = new RecordBuffer();
    private final RecordView view = new RecordView();

    StreamReader(JournalCursor cursor, java.util.function.Consumer<JournalCursor> release) {
        this.cursor = cursor;
        this.release = release;
    }

    List<RecordedEvent> read(long lastAddress, long fromVersion, int limit) {
        long[] addresses = new long[16];
        int count = 0;
        long address = lastAddress;
        while (address >= 0) {
            load(address);
            if (count == addresses.length) {
                addresses = Arrays.copyOf(addresses, count * 2);
            }
            addresses[count++] = address;
            if (view.envelope(0).getStreamVersion() <= fromVersion) {
                break;
            }
            address = view.prevStreamAddress();
        }
        List<RecordedEvent> events = new ArrayList<>();
        for (int i = count - 1; i >= 0 && events.size() < limit; i--) {
            load(addresses[i]);
            for (int j = 0; j < view.count() && events.size() < limit; j++) {
                RecordedEvent event = view.event(j);
                if (event.streamVersion() >= fromVersion) {
                    events.add(event);
                }
            }
        }
        return events;
    }

    private void load(long address) {
        if (!cursor.seek(address) || !cursor.next(buffer)) {
            throw new CorruptJournalException(-1, "address " + address, "a stream link points at a missing record");
        }
        String problem = view.load(buffer);
        if (problem != null) {
            throw new CorruptJournalException(view.firstSeq(), buffer.location(), problem);
        }
    }

    @Override
    public void close() {
        release.accept(cursor);
    }
}
