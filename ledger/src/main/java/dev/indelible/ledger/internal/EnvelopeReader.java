package dev.indelible.ledger.internal;

import static dev.indelible.ledger.internal.EnvelopeWriter.CONTENT_TYPE_JSON;
import static dev.indelible.ledger.internal.EnvelopeWriter.FIELD_CONTENT_TYPE;
import static dev.indelible.ledger.internal.EnvelopeWriter.FIELD_EVENT_ID;
import static dev.indelible.ledger.internal.EnvelopeWriter.FIELD_GLOBAL_SEQ;
import static dev.indelible.ledger.internal.EnvelopeWriter.FIELD_METADATA;
import static dev.indelible.ledger.internal.EnvelopeWriter.FIELD_PAYLOAD;
import static dev.indelible.ledger.internal.EnvelopeWriter.FIELD_PRODUCER_ID;
import static dev.indelible.ledger.internal.EnvelopeWriter.FIELD_RECORDED_AT;
import static dev.indelible.ledger.internal.EnvelopeWriter.FIELD_STREAM;
import static dev.indelible.ledger.internal.EnvelopeWriter.FIELD_STREAM_VERSION;
import static dev.indelible.ledger.internal.EnvelopeWriter.FIELD_TYPE;

import dev.indelible.ledger.ContentType;
import dev.indelible.ledger.EventId;
import dev.indelible.ledger.RecordedEvent;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Decodes an {@code Envelope} (envelope.proto, Protobuf wire format) straight into a
 * {@link RecordedEvent}: the payload copied once, the event id read as two longs, and stream,
 * type and producer names taken from a small cache when their bytes repeat (the generated parser
 * builds a message, byte strings and new strings for every event). Fields may come in any order;
 * unknown fields are skipped; the last of a repeated field wins, as in Protobuf.
 * {@code EnvelopeReaderTest} compares it with the generated parser.
 *
 * <p>Not thread-safe: one per reader.
 */
final class EnvelopeReader {
    private static final VarHandle BIG_ENDIAN_LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final int CACHE_SLOTS = 256;
    private final byte[][] cachedBytes = new byte[CACHE_SLOTS][];
    private final String[] cachedStrings = new String[CACHE_SLOTS];
    private byte[] b;
    private int pos;

    /** Decodes the envelope in {@code data[offset, offset + length)}, whose checksum already passed. */
    RecordedEvent decode(byte[] data, int offset, int length) {
        b = data;
        pos = offset;
        int end = offset + length;
        long idHigh = 0;
        long idLow = 0;
        int idLength = -1;
        String stream = "";
        long streamVersion = 0;
        long globalSeq = 0;
        String type = "";
        long recordedAt = 0;
        String producer = "";
        ContentType contentType = ContentType.PROTOBUF;
        byte[] payload = new byte[0];
        Map<String, String> metadata = null;
        while (pos < end) {
            int tag = (int) varint();
            int field = tag >>> 3;
            int wire = tag & 7;
            if (wire == EnvelopeWriter.WIRE_VARINT) {
                long value = varint();
                switch (field) {
                    case FIELD_STREAM_VERSION -> streamVersion = value;
                    case FIELD_GLOBAL_SEQ -> globalSeq = value;
                    case FIELD_RECORDED_AT -> recordedAt = value;
                    case FIELD_CONTENT_TYPE -> contentType = value == CONTENT_TYPE_JSON ? ContentType.JSON : ContentType.PROTOBUF;
                    default -> { } // unknown: skipped
                }
                continue;
            }
            if (wire != EnvelopeWriter.WIRE_LENGTH_DELIMITED) {
                skip(wire);
                continue;
            }
            int size = length(end);
            int at = pos;
            pos += size;
            switch (field) {
                case FIELD_EVENT_ID -> {
                    idLength = size;
                    if (size == 16) {
                        idHigh = (long) BIG_ENDIAN_LONG.get(b, at);
                        idLow = (long) BIG_ENDIAN_LONG.get(b, at + 8);
                    }
                }
                case FIELD_STREAM -> stream = string(at, size);
                case FIELD_TYPE -> type = string(at, size);
                case FIELD_PRODUCER_ID -> producer = string(at, size);
                case FIELD_PAYLOAD -> payload = Arrays.copyOfRange(b, at, at + size);
                case FIELD_METADATA -> {
                    if (metadata == null) {
                        metadata = new LinkedHashMap<>();
                    }
                    entry(at, at + size, metadata);
                }
                default -> { } // unknown: skipped
            }
        }
        if (pos != end) {
            throw new IllegalStateException("envelope ends " + (pos - end) + " bytes past its length");
        }
        if (idLength != 16) {
            throw new IllegalStateException("envelope event_id is " + idLength + " bytes, not 16");
        }
        b = null;
        return new RecordedEvent(globalSeq, stream, streamVersion, new EventId(idHigh, idLow), type, contentType,
            recordedAt, producer, payload, metadata == null ? Map.of() : Collections.unmodifiableMap(metadata));
    }

    /** One map entry: key = 1, value = 2. */
    private void entry(int from, int to, Map<String, String> into) {
        int saved = pos;
        pos = from;
        String key = "";
        String value = "";
        while (pos < to) {
            int tag = (int) varint();
            if ((tag & 7) != EnvelopeWriter.WIRE_LENGTH_DELIMITED) {
                skip(tag & 7);
                continue;
            }
            int size = length(to);
            String s = new String(b, pos, size, StandardCharsets.UTF_8);
            pos += size;
            if (tag >>> 3 == 1) {
                key = s;
            } else if (tag >>> 3 == 2) {
                value = s;
            }
        }
        into.put(key, value);
        pos = saved;
    }

    /** The string of {@code b[at, at + size)}, from the cache when these bytes were seen before. */
    private String string(int at, int size) {
        int hash = size;
        for (int i = at; i < at + size; i++) {
            hash = 31 * hash + b[i];
        }
        int slot = (hash ^ hash >>> 16) & (CACHE_SLOTS - 1);
        byte[] cached = cachedBytes[slot];
        if (cached != null && Arrays.equals(cached, 0, cached.length, b, at, at + size)) {
            return cachedStrings[slot];
        }
        String s = new String(b, at, size, StandardCharsets.UTF_8);
        cachedBytes[slot] = Arrays.copyOfRange(b, at, at + size);
        cachedStrings[slot] = s;
        return s;
    }

    /** The length of a length-delimited field, which must end by {@code end}. */
    private int length(int end) {
        int size = (int) varint();
        if (size < 0 || size > end - pos) {
            throw new IllegalStateException("an envelope field claims " + size + " bytes, " + (end - pos) + " are left");
        }
        return size;
    }

    private long varint() {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            byte x = b[pos++];
            value |= (long) (x & 0x7F) << shift;
            if (x >= 0) {
                return value;
            }
        }
        throw new IllegalStateException("malformed varint in an envelope");
    }

    private void skip(int wire) {
        switch (wire) {
            case 0 -> varint();
            case 1 -> pos += 8;
            case 5 -> pos += 4;
            default -> throw new IllegalStateException("envelope holds unsupported wire type " + wire);
        }
    }
}
