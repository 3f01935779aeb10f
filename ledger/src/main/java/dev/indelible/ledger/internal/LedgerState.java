package dev.indelible.ledger.internal;

import dev.indelible.ledger.EventData;
import dev.indelible.ledger.EventId;
import dev.indelible.ledger.Transaction;
import dev.indelible.ledger.proto.Envelope;
import java.io.DataInput;
import java.nio.ByteBuffer;
import java.io.DataOutput;
import java.io.IOException;
import java.util.List;

/**
 * What a writer must know of the whole journal: the next {@code global_seq}, the checksum chain's
 * last link, every stream's head, every event id, and a sparse position index. Rebuilt from a
 * checkpoint plus the journal's tail, and kept current by applying every record in order.
 *
 * <p>Not thread-safe: guarded by the ledger's write lock (the position index is itself thread-safe).
 * Close it, under the lock, once it is no longer used: the event id table is off the heap.
 */
final class LedgerState implements AutoCloseable {
    private long nextSeq;
    private int lastCrc;
    /** Address of the last record applied, or -1 before the first. */
    private long lastAddress = -1;
    private final StreamIndex streams;
    private final EventIdIndex eventIds;
    private final SeqIndex positions;

    LedgerState() {
        this(new StreamIndex(), new EventIdIndex(), new SeqIndex());
    }

    private LedgerState(StreamIndex streams, EventIdIndex eventIds, SeqIndex positions) {
        this.streams = streams;
        this.eventIds = eventIds;
        this.positions = positions;
    }

    /** The {@code global_seq} the next event gets. */
    long nextSeq() {
        return nextSeq;
    }

    /** The checksum chain's last link: the last record's chained CRC. */
    int lastCrc() {
        return lastCrc;
    }

    /** The address of the last record applied, or -1 before the first. */
    long lastAddress() {
        return lastAddress;
    }

    /** Every stream's head. */
    StreamIndex streams() {
        return streams;
    }

    /** Every event id, by the address of its record. */
    EventIdIndex eventIds() {
        return eventIds;
    }

    /** The sparse {@code global_seq} to address index; thread-safe, so readers use it without the lock. */
    SeqIndex positions() {
        return positions;
    }

    /** Applies a record another writer (or an earlier run) committed; the caller checked it follows on. */
    void apply(RecordView record, long address) {
        for (int p = 0; p < record.parts(); p++) {
            Envelope last = null;
            for (int i = record.partStart(p); i < record.partStart(p + 1); i++) {
                last = record.envelope(i);
                ByteBuffer id = last.getEventId().asReadOnlyByteBuffer();
                eventIds.put(EventIdIndex.fingerprint(id.getLong(id.position()), id.getLong(id.position() + 8)), address);
            }
            streams.advance(last.getStream(), last.getStreamVersion(), address);
        }
        advance(record.firstSeq(), record.count(), record.lastCrc(), address);
    }

    /** Applies a record this process wrote: {@code events}, the first at {@code firstSeq} and {@code firstVersion}. */
    void appended(List<EventData> events, String stream, long firstSeq, long firstVersion, int recordLastCrc,
                  long address) {
        index(events, stream, firstVersion, address);
        advance(firstSeq, events.size(), recordLastCrc, address);
    }

    /** Applies a transaction's record this process wrote: part {@code p} from {@code firstVersions[p]}. */
    void appended(List<Transaction.Part> parts, long firstSeq, long[] firstVersions, int recordLastCrc, long address) {
        int count = 0;
        for (int p = 0; p < parts.size(); p++) {
            index(parts.get(p).events(), parts.get(p).stream(), firstVersions[p], address);
            count += parts.get(p).events().size();
        }
        advance(firstSeq, count, recordLastCrc, address);
    }

    /** Indexes the ids of one stream's events in the record at {@code address}, and the stream's new head. */
    private void index(List<EventData> events, String stream, long firstVersion, long address) {
        for (int i = 0; i < events.size(); i++) {
            EventId id = events.get(i).eventId();
            eventIds.put(EventIdIndex.fingerprint(id.mostSignificant(), id.leastSignificant()), address);
        }
        streams.advance(stream, firstVersion + events.size() - 1, address);
    }

    /** Moves the sequence, chain and position index past a record of {@code count} events. */
    void advance(long firstSeq, int count, int recordLastCrc, long address) {
        positions.add(firstSeq, count, address);
        nextSeq = firstSeq + count;
        lastCrc = recordLastCrc;
        lastAddress = address;
    }

    /**
     * Under the lock: the state as it is now, to be written while appends go on; close it under
     * the lock once written.
     */
    Snapshot snapshot() {
        return new Snapshot(nextSeq, lastCrc, lastAddress, streams.snapshot(), eventIds.snapshot(lastAddress),
            positions.snapshot());
    }

    /** The state as of one moment, whatever is appended while it is written. */
    static final class Snapshot implements AutoCloseable {
        final long nextSeq;
        private final int lastCrc;
        private final long lastAddress;
        private final StreamIndex.Snapshot streams;
        private final EventIdIndex.Snapshot eventIds;
        private final SeqIndex.Snapshot positions;

        private Snapshot(long nextSeq, int lastCrc, long lastAddress, StreamIndex.Snapshot streams,
                         EventIdIndex.Snapshot eventIds, SeqIndex.Snapshot positions) {
            this.nextSeq = nextSeq;
            this.lastCrc = lastCrc;
            this.lastAddress = lastAddress;
            this.streams = streams;
            this.eventIds = eventIds;
            this.positions = positions;
        }

        /** Writes the state as {@link CheckpointLayout} draws it; {@code chunks} copies each chunk of an index. */
        void writeTo(DataOutput out, ChunkedCopy.Runner chunks) throws IOException {
            out.writeLong(nextSeq);
            out.writeInt(lastCrc);
            out.writeLong(lastAddress);
            streams.writeTo(out, chunks);
            eventIds.writeTo(out, chunks);
            positions.writeTo(out);
        }

        @Override
        public void close() {
            streams.close();
            eventIds.close();
        }
    }

    @Override
    public void close() {
        eventIds.close();
    }

    static LedgerState readFrom(DataInput in) throws IOException {
        return readFrom(in, false);
    }

    /** {@code denseIds}: a checkpoint of the first format, with every slot of the id table written. */
    static LedgerState readFrom(DataInput in, boolean denseIds) throws IOException {
        long nextSeq = in.readLong();
        int lastCrc = in.readInt();
        long lastAddress = in.readLong();
        StreamIndex streams = StreamIndex.readFrom(in);
        EventIdIndex eventIds = EventIdIndex.readFrom(in, denseIds);
        SeqIndex positions;
        try {
            positions = SeqIndex.readFrom(in);
        } catch (IOException | RuntimeException e) {
            eventIds.close();
            throw e;
        }
        LedgerState state = new LedgerState(streams, eventIds, positions);
        state.nextSeq = nextSeq;
        state.lastCrc = lastCrc;
        state.lastAddress = lastAddress;
        return state;
    }
}
