package dev.indelible.ledger.internal;

import dev.indelible.ledger.ContentType;
import dev.indelible.ledger.EventData;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/**
 * Writes the {@code Envelope} message of envelope.proto in Protobuf wire format into a reusable
 * array, so the append path allocates nothing for ASCII names (the generated builder would
 * allocate a message per event). An appending thread writes the fields that do not depend on the
 * event's place ({@link EncodedEvents}) before it takes the lock; under it, the record's writer
 * puts them around the place's fields ({@link #writePlaced}). {@code EnvelopeWriterTest} checks
 * the output equals the generated {@code Envelope}'s byte for byte.
 *
 * <p>Not thread-safe.
 */
final class EnvelopeWriter {
    static final int WIRE_VARINT = 0;
    static final int WIRE_LENGTH_DELIMITED = 2;
    static final int FIELD_EVENT_ID = 1;
    static final int FIELD_STREAM = 2;
    static final int FIELD_STREAM_VERSION = 3;
    static final int FIELD_GLOBAL_SEQ = 4;
    static final int FIELD_TYPE = 5;
    static final int FIELD_RECORDED_AT = 6;
    static final int FIELD_PRODUCER_ID = 7;
    static final int FIELD_CONTENT_TYPE = 8;
    static final int FIELD_PAYLOAD = 9;
    static final int FIELD_METADATA = 10;
    private static final int CONTENT_TYPE_PROTOBUF = 1;
    static final int CONTENT_TYPE_JSON = 2;
    private static final int MAX_VARINT_BYTES = 10;

    private byte[] buf = new byte[1024];
    private int pos;

    byte[] buffer() {
        return buf;
    }

    int position() {
        return pos;
    }

    void position(int newPosition) {
        ensure(newPosition - pos);
        pos = newPosition;
    }

    /** Appends the fields before an envelope's place in the journal: its event id and stream. */
    void writeIdAndStream(EventData event, String stream) {
        ensure(18);
        writeTag(FIELD_EVENT_ID, WIRE_LENGTH_DELIMITED);
        writeVarint(16);
        writeLongBigEndian(event.eventId().mostSignificant());
        writeLongBigEndian(event.eventId().leastSignificant());
        writeString(FIELD_STREAM, stream);
    }

    /** Appends the field between the place's fields and the time: the event's type. */
    void writeType(EventData event) {
        writeString(FIELD_TYPE, event.type());
    }

    /** Appends the fields after the time: producer, content type, payload, metadata. */
    void writeBody(EventData event, String producerId) {
        writeString(FIELD_PRODUCER_ID, producerId);
        writeVarintField(FIELD_CONTENT_TYPE,
            event.contentType() == ContentType.JSON ? CONTENT_TYPE_JSON : CONTENT_TYPE_PROTOBUF);
        writeBytes(FIELD_PAYLOAD, event.payload());
        if (!event.metadata().isEmpty()) {
            writeMetadata(event.metadata());
        }
    }

    /**
     * Appends event {@code i} of {@code encoded} as a whole envelope, its place and time written
     * between the runs encoded before, so the fields stay in field-number order, as Protobuf
     * writes them; returns its length.
     */
    int writePlaced(EncodedEvents encoded, int i, long streamVersion, long globalSeq, long recordedAtMicros) {
        int start = pos;
        byte[] runs = encoded.bytes();
        // One check for the whole envelope: the runs, and three fields of a tag and a varint each.
        ensure(encoded.end(i) - encoded.idStart(i) + 3 * (1 + MAX_VARINT_BYTES));
        copy(runs, encoded.idStart(i), encoded.typeStart(i));
        putVarint((FIELD_STREAM_VERSION << 3) | WIRE_VARINT);
        putVarint(streamVersion);
        putVarint((FIELD_GLOBAL_SEQ << 3) | WIRE_VARINT);
        putVarint(globalSeq);
        copy(runs, encoded.typeStart(i), encoded.bodyStart(i));
        putVarint((FIELD_RECORDED_AT << 3) | WIRE_VARINT);
        putVarint(recordedAtMicros);
        copy(runs, encoded.bodyStart(i), encoded.end(i));
        return pos - start;
    }

    /** Copies a run into room already ensured. */
    private void copy(byte[] from, int start, int end) {
        System.arraycopy(from, start, buf, pos, end - start);
        pos += end - start;
    }

    private void writeMetadata(Map<String, String> metadata) {
        // Sorted so equal events always encode to equal bytes, whatever map the caller used.
        Object[] keys = metadata.keySet().toArray();
        Arrays.sort(keys);
        for (Object key : keys) {
            String k = (String) key;
            String v = metadata.get(k);
            int entryLength = stringFieldLength(1, k) + stringFieldLength(2, v);
            writeTag(FIELD_METADATA, WIRE_LENGTH_DELIMITED);
            writeVarint(entryLength);
            writeString(1, k);
            writeString(2, v);
        }
    }

    private void writeVarintField(int field, long value) {
        writeTag(field, WIRE_VARINT);
        writeVarint(value);
    }

    private void writeBytes(int field, byte[] value) {
        ensure(16 + value.length);
        writeTag(field, WIRE_LENGTH_DELIMITED);
        writeVarint(value.length);
        System.arraycopy(value, 0, buf, pos, value.length);
        pos += value.length;
    }

    private void writeString(int field, String value) {
        if (!isAscii(value)) {
            writeBytes(field, value.getBytes(StandardCharsets.UTF_8));
            return;
        }
        int length = value.length();
        ensure(16 + length);
        writeTag(field, WIRE_LENGTH_DELIMITED);
        writeVarint(length);
        for (int i = 0; i < length; i++) {
            buf[pos++] = (byte) value.charAt(i);
        }
    }

    private static int stringFieldLength(int field, String value) {
        int bytes = isAscii(value) ? value.length() : value.getBytes(StandardCharsets.UTF_8).length;
        return varintSize((field << 3) | WIRE_LENGTH_DELIMITED) + varintSize(bytes) + bytes;
    }

    private static boolean isAscii(String value) {
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    private void writeTag(int field, int wireType) {
        writeVarint((field << 3) | wireType);
    }

    private void writeVarint(long value) {
        ensure(MAX_VARINT_BYTES);
        putVarint(value);
    }

    /** Writes a varint into room already ensured. */
    private void putVarint(long value) {
        while ((value & ~0x7FL) != 0) {
            buf[pos++] = (byte) ((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        buf[pos++] = (byte) value;
    }

    private void writeLongBigEndian(long value) {
        for (int shift = 56; shift >= 0; shift -= 8) {
            buf[pos++] = (byte) (value >>> shift);
        }
    }

    private static int varintSize(long value) {
        int size = 1;
        while ((value & ~0x7FL) != 0) {
            value >>>= 7;
            size++;
        }
        return size;
    }

    private void ensure(int extra) {
        if (pos + extra > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(pos + extra, buf.length * 2));
        }
    }
}
