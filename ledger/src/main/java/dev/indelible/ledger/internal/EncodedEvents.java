package dev.indelible.ledger.internal;

import dev.indelible.ledger.EventData;
import java.util.Arrays;
import java.util.List;

/**
 * The events of one append or transaction, encoded by the appending thread before it takes the
 * lock: per event, the envelope's fields that do not depend on its place in the journal, in the
 * three runs that go around the place's fields (id and stream; type; producer, content type,
 * payload and metadata). Under the lock, {@link RecordEncoder} only copies them around the
 * stream version, {@code global_seq} and time, and checksums; so appenders on different threads
 * encode at the same time.
 *
 * <p>Not thread-safe: one per appending thread, reused for each of its appends.
 */
final class EncodedEvents {
    /** A buffer grown past this by a large append is let go after it, not kept by the thread. */
    private static final int KEPT_BYTES = 64 * 1024;

    private EnvelopeWriter writer = new EnvelopeWriter();
    /** Per event, where its runs start, then after the last event where its runs end. */
    private int[] starts = new int[3 * 8 + 1];
    private int count;

    /** Starts over: no events. */
    EncodedEvents clear() {
        writer.position(0);
        count = 0;
        return this;
    }

    /** Once the record is written: lets a buffer a large append grew go, rather than keep it per thread. */
    void trim() {
        if (writer.buffer().length > KEPT_BYTES) {
            writer = new EnvelopeWriter();
        }
    }

    /** Encodes {@code events} of {@code stream} after those added before. */
    EncodedEvents add(String stream, List<EventData> events, String producerId) {
        makeRoom(events.size());
        for (int i = 0; i < events.size(); i++) {
            encode(stream, events.get(i), producerId);
        }
        return this;
    }

    /** {@link #add(String, List, String)} for one event, without a list around it. */
    EncodedEvents add(String stream, EventData event, String producerId) {
        makeRoom(1);
        encode(stream, event, producerId);
        return this;
    }

    /** Room in {@link #starts} for {@code more} events' runs, and the end of the last. */
    private void makeRoom(int more) {
        int needed = 3 * (count + more) + 1;
        if (starts.length < needed) {
            starts = Arrays.copyOf(starts, Math.max(needed, starts.length * 2));
        }
    }

    private void encode(String stream, EventData event, String producerId) {
        int at = 3 * count++;
        starts[at] = writer.position();
        writer.writeIdAndStream(event, stream);
        starts[at + 1] = writer.position();
        writer.writeType(event);
        starts[at + 2] = writer.position();
        writer.writeBody(event, producerId);
        starts[at + 3] = writer.position();
    }

    int count() {
        return count;
    }

    byte[] bytes() {
        return writer.buffer();
    }

    int idStart(int event) {
        return starts[3 * event];
    }

    int typeStart(int event) {
        return starts[3 * event + 1];
    }

    int bodyStart(int event) {
        return starts[3 * event + 2];
    }

    int end(int event) {
        return starts[3 * event + 3];
    }
}
