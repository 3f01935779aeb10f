package dev.indelible.server.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import com.google.protobuf.WireFormat;
import dev.indelible.projections.reference.DomainEvents;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;

/**
 * A domain event's JSON object as its Protobuf message in one streaming pass, for the plain case
 * producers send: each field once, by its proto or JSON name, a string, a boolean, an integer or
 * an RFC 3339 timestamp. Anything else (an unknown field, a number as a string, a {@code Struct},
 * a null) is declined, and the caller leaves it to Protobuf's own JSON mapping
 * ({@link DomainEvents#fromJson}), which then accepts or refuses it with its own words: this class
 * only ever takes a subset of what that mapping takes, to the same message. It exists because that
 * mapping (through Gson) cost a quarter of the server's CPU on an append (JFR, 2026-12-06).
 * Thread-safe.
 */
final class DomainJson {
    private static final JsonFactory JSON = new JsonFactory();
    private static final Map<String, Type> TYPES = new HashMap<>();

    static {
        for (String type : DomainEvents.types()) {
            TYPES.put(type, new Type(DomainEvents.parse(type, new byte[0])));
        }
    }

    private DomainJson() {
    }

    /** The message's bytes, or null when the JSON is not the plain case (see the class comment). */
    static byte[] protobuf(String type, byte[] json) {
        Type t = TYPES.get(type);
        if (t == null) {
            return null;
        }
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            Object[] values = new Object[t.byNumber.length];
            for (JsonToken name = p.nextToken(); name != JsonToken.END_OBJECT; name = p.nextToken()) {
                Integer index = t.fields.get(p.currentName());
                if (index == null || values[index] != null) {
                    return null;
                }
                FieldDescriptor field = t.byNumber[index];
                Object value = value(field, p.nextToken(), p);
                if (value == null) {
                    return null;
                }
                values[index] = value;
            }
            return p.nextToken() == null ? encode(t.byNumber, values) : null;
        } catch (IOException | RuntimeException notPlain) {
            return null;
        }
    }

    /**
     * The message's wire bytes as its generated class writes them: fields in number order, a
     * proto3 scalar at its default value left out, a timestamp as a nested message.
     */
    private static byte[] encode(FieldDescriptor[] fields, Object[] values) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        for (int i = 0; i < fields.length; i++) {
            Object v = values[i];
            int n = fields[i].getNumber();
            if (v == null || v.equals("") || v.equals(Boolean.FALSE) || v.equals(0L) || v.equals(0)) {
                continue; // absent, or a proto3 scalar at its default value, which is left out
            }
            switch (fields[i].getType()) {
                case STRING -> out.writeString(n, (String) v);
                case BOOL -> out.writeBool(n, true);
                case INT64 -> out.writeInt64(n, (Long) v);
                case SINT64 -> out.writeSInt64(n, (Long) v);
                case SFIXED64 -> out.writeSFixed64(n, (Long) v);
                case INT32 -> out.writeInt32(n, (Integer) v);
                case SINT32 -> out.writeSInt32(n, (Integer) v);
                case SFIXED32 -> out.writeSFixed32(n, (Integer) v);
                default -> { // a timestamp: present even when zero, as the JSON mapping sets it
                    long[] t = (long[]) v;
                    int size = (t[0] == 0 ? 0 : CodedOutputStream.computeInt64Size(1, t[0]))
                        + (t[1] == 0 ? 0 : CodedOutputStream.computeInt32Size(2, (int) t[1]));
                    out.writeTag(n, WireFormat.WIRETYPE_LENGTH_DELIMITED);
                    out.writeUInt32NoTag(size);
                    if (t[0] != 0) {
                        out.writeInt64(1, t[0]);
                    }
                    if (t[1] != 0) {
                        out.writeInt32(2, (int) t[1]);
                    }
                }
            }
        }
        out.flush();
        return bytes.toByteArray();
    }

    private static Object value(FieldDescriptor field, JsonToken token, JsonParser p) throws IOException {
        return switch (field.getType()) {
            case STRING -> token == JsonToken.VALUE_STRING ? p.getText() : null;
            case BOOL -> token == JsonToken.VALUE_TRUE ? Boolean.TRUE : token == JsonToken.VALUE_FALSE ? Boolean.FALSE : null;
            case INT64, SINT64, SFIXED64 -> token == JsonToken.VALUE_NUMBER_INT
                && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER ? (Object) p.getLongValue() : null;
            case INT32, SINT32, SFIXED32 -> token == JsonToken.VALUE_NUMBER_INT
                && p.getNumberType() == JsonParser.NumberType.INT ? (Object) p.getIntValue() : null;
            case MESSAGE -> token == JsonToken.VALUE_STRING
                && field.getMessageType().getFullName().equals(Timestamp.getDescriptor().getFullName())
                ? timestamp(p.getText()) : null;
            default -> null;
        };
    }

    /**
     * {@code yyyy-mm-ddThh:mm:ss[.f{1,9}]Z} only (no offset, years 0001 to 9999), which
     * {@code Timestamps.parse} reads to the same instant; anything else is declined. Written by
     * hand because that parser goes through {@code SimpleDateFormat} (a tenth of an append's CPU).
     */
    private static long[] timestamp(String text) {
        int length = text.length();
        if (length < 20 || text.charAt(4) != '-' || text.charAt(7) != '-' || text.charAt(10) != 'T' || text.charAt(13) != ':'
            || text.charAt(16) != ':' || text.charAt(length - 1) != 'Z') {
            return null;
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 7);
        int day = digits(text, 8, 10);
        int hour = digits(text, 11, 13);
        int minute = digits(text, 14, 16);
        int second = digits(text, 17, 19);
        int nanos = 0;
        if (length > 20) {
            int fraction = length - 21;
            if (text.charAt(19) != '.' || fraction < 1 || fraction > 9) {
                return null;
            }
            nanos = digits(text, 20, length - 1);
            for (int i = fraction; i < 9; i++) {
                nanos *= 10;
            }
        }
        if (year < 1 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0 || nanos < 0) {
            return null;
        }
        try {
            long seconds = LocalDateTime.of(year, month, day, hour, minute, second).toEpochSecond(ZoneOffset.UTC);
            return new long[] {seconds, nanos};
        } catch (DateTimeException invalid) { // e.g. February 30th, hour 24: Protobuf's words for it
            return null;
        }
    }

    /** The decimal number in text[from, to), or -1 if any is not a digit. */
    private static int digits(String text, int from, int to) {
        int value = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    /** A domain type's plain fields in number order, and their index there by proto name and JSON name. */
    private static final class Type {
        final FieldDescriptor[] byNumber;
        final Map<String, Integer> fields = new HashMap<>();

        Type(Message prototype) {
            Descriptor descriptor = prototype.getDescriptorForType();
            byNumber = descriptor.getFields().stream()
                .filter(f -> !f.isRepeated() && f.getContainingOneof() == null)
                .sorted(Comparator.comparingInt(FieldDescriptor::getNumber)).toArray(FieldDescriptor[]::new);
            for (int i = 0; i < byNumber.length; i++) {
                fields.put(byNumber[i].getName(), i);
                fields.put(byNumber[i].getJsonName(), i);
            }
        }
    }
}
