package dev.indelible.ledger.internal;

import dev.indelible.ledger.CorruptJournalException;
import dev.indelible.ledger.RecordedEvent;
import dev.indelible.ledger.spi.JournalCursor;
import dev.indelible.ledger.spi.RecordBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads one stream without scanning the journal: walks back from the stream's last record along
 * each record's "previous record of the stream" link (in a transaction's record, that of the
 * stream's part), then reads forward.
 *
 * <p>Not thread-safe.
 */
final class StreamReader implements AutoCloseable {
    private final JournalCursor cursor;
    private final Consumer<JournalCursor> release;
    private final RecordBuffer buffer = new RecordBuffer();
    private final RecordView view = new RecordView();

    StreamReader(JournalCursor cursor, Consumer<JournalCursor> release) {
        this.cursor = cursor;
        this.release = release;
    }

    List<RecordedEvent> read(String stream, long lastAddress, long fromVersion, int limit) {
        long[] addresses = new long[16];
        int count = 0;
        long address = lastAddress;
        while (address >= 0) {
            int part = load(stream, address);
            if (count == addresses.length) {
                addresses = Arrays.copyOf(addresses, count * 2);
            }
            addresses[count++] = address;
            if (view.envelope(view.partStart(part)).getStreamVersion() <= fromVersion) {
                break;
            }
            address = view.prevStreamAddress(part);
        }
        List<RecordedEvent> events = new ArrayList<>();
        for (int i = count - 1; i >= 0 && events.size() < limit; i--) {
            int part = load(stream, addresses[i]);
            for (int j = view.partStart(part); j < view.partStart(part + 1) && events.size() < limit; j++) {
                RecordedEvent event = view.event(j);
                if (event.streamVersion() >= fromVersion) {
                    events.add(event);
                }
            }
        }
        return events;
    }

    /** Loads the record at {@code address} and returns the part holding {@code stream}. */
    private int load(String stream, long address) {
        if (!cursor.seek(address) || !cursor.next(buffer)) {
            throw new CorruptJournalException(-1, "address " + address, "a stream link points at a missing record");
        }
        String problem = view.load(buffer);
        if (problem != null) {
            throw new CorruptJournalException(view.firstSeq(), buffer.location(), problem);
        }
        int part = view.parts() == 1 ? 0 : view.partOf(stream);
        if (part < 0) {
            throw new CorruptJournalException(view.firstSeq(), buffer.location(),
                "a link of stream '" + stream + "' points at a record without it");
        }
        return part;
    }

    @Override
    public void close() {
        release.accept(cursor);
    }
}
