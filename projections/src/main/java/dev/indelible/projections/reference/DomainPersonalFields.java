package dev.indelible.projections.reference;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.WireFormat;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.InvalidEventException;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.PersonalFields;
import dev.indelible.projections.proto.EventsProto;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The personal fields of a domain type, read from its message's field options in
 * {@code events.proto}: {@code (personal) = true} on each personal string field, and
 * {@code (subject_prefix)} on the field that names the data subject. Types without personal
 * fields register nothing.
 *
 * <p>Immutable and thread-safe.
 */
final class DomainPersonalFields implements PersonalFields {

    /** Occurrences of personal fields sealed per payload: a singular field occurs once, unless a writer repeats it. */
    private static final int MAX_OCCURRENCES = 16;

    private final String type;
    private final FieldDescriptor subjectField;
    private final String subjectPrefix;
    private final List<FieldDescriptor> personal;
    private final int subjectTag;

    private DomainPersonalFields(String type, FieldDescriptor subjectField, List<FieldDescriptor> personal) {
        this.type = type;
        this.subjectField = subjectField;
        this.subjectPrefix = subjectField.getOptions().getExtension(EventsProto.subjectPrefix);
        this.personal = List.copyOf(personal);
        this.subjectTag = subjectField.getNumber() << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED;
    }

    /** Registers the personal fields of {@code type}, if its message has any; returns the builder. */
    static LedgerConfig.Builder register(LedgerConfig.Builder builder, String type, Message prototype) {
        FieldDescriptor subject = null;
        List<FieldDescriptor> personal = new ArrayList<>();
        for (FieldDescriptor field : prototype.getDescriptorForType().getFields()) {
            if (field.getOptions().getExtension(EventsProto.personal)) {
                if (field.getJavaType() != FieldDescriptor.JavaType.STRING || field.isRepeated()) {
                    throw new IllegalStateException(type + "." + field.getName() + ": only a single string field can be personal");
                }
                personal.add(field);
            }
            if (!field.getOptions().getExtension(EventsProto.subjectPrefix).isEmpty()) {
                subject = field;
            }
        }
        if (personal.isEmpty()) {
            return builder;
        }
        if (subject == null) {
            throw new IllegalStateException(type + " has personal fields but no field marked (subject_prefix)");
        }
        return builder.personalFields(type, new DomainPersonalFields(type, subject, personal));
    }

    @Override
    public String subject(EventData event) {
        String id = "";
        try {
            CodedInputStream in = CodedInputStream.newInstance(event.payload());
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                if (tag == subjectTag) {
                    id = in.readStringRequireUtf8();
                } else {
                    in.skipField(tag);
                }
            }
        } catch (IOException e) {
            throw new InvalidEventException("payload", "is not a valid " + type + " message: " + e.getMessage());
        }
        if (id.isEmpty()) {
            throw new InvalidEventException(subjectField.getName(), "is required for " + type + ": it names the data subject");
        }
        return subjectPrefix + id;
    }

    /**
     * Seals on the wire, without parsing the message: every field is copied as its bytes stand but the
     * personal strings, which are replaced by their sealed values (a parse and a rebuild through
     * protobuf's reflection cost more than the sealing). The same payload gives the same bytes.
     */
    @Override
    public byte[] seal(EventData event, Sealer sealer) {
        byte[] payload = event.payload();
        // Per occurrence: where the field starts and ends, its number, its sealed value; grown if a writer repeats one.
        int[] spans = new int[3 * personal.size()];
        byte[][] values = new byte[personal.size()][];
        int found = 0;
        int size = payload.length;
        try {
            CodedInputStream in = CodedInputStream.newInstance(payload);
            int start = in.getTotalBytesRead();
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                FieldDescriptor field = personalField(tag);
                if (field == null) {
                    in.skipField(tag);
                } else if (found == MAX_OCCURRENCES) {
                    throw new InvalidEventException(field.getName(), "occurs more than " + MAX_OCCURRENCES + " times in one"
                        + " payload: a singular field is written once");
                } else {
                    if (found == values.length) {
                        spans = Arrays.copyOf(spans, 2 * spans.length);
                        values = Arrays.copyOf(values, 2 * values.length);
                    }
                    String value = in.readStringRequireUtf8();
                    // As bytes, encoded once by the JDK: protobuf sizes and encodes a String char by char, and sealed values are long.
                    byte[] sealed = (value.isEmpty() ? value : sealer.seal(field.getName(), value)).getBytes(StandardCharsets.UTF_8);
                    int end = in.getTotalBytesRead();
                    spans[3 * found] = start;
                    spans[3 * found + 1] = end;
                    spans[3 * found + 2] = field.getNumber();
                    values[found] = sealed;
                    size += CodedOutputStream.computeByteArraySize(field.getNumber(), sealed) - (end - start);
                    found++;
                }
                start = in.getTotalBytesRead();
            }
        } catch (IOException e) {
            throw new InvalidEventException("payload", "is not a valid " + type + " message: " + e.getMessage());
        }
        return found == 0 ? payload : rewrite(payload, size, spans, values, found);
    }

    private static byte[] rewrite(byte[] payload, int size, int[] spans, byte[][] values, int found) {
        byte[] out = new byte[size];
        CodedOutputStream writer = CodedOutputStream.newInstance(out);
        try {
            int copied = 0;
            for (int i = 0; i < found; i++) {
                writer.writeRawBytes(payload, copied, spans[3 * i] - copied);
                writer.writeByteArray(spans[3 * i + 2], values[i]);
                copied = spans[3 * i + 1];
            }
            writer.writeRawBytes(payload, copied, payload.length - copied);
            writer.checkNoSpaceLeft();
        } catch (IOException e) {
            throw new IllegalStateException("a sealed payload did not fit the size computed for it", e);
        }
        return out;
    }

    /** The personal field a tag opens, or null for another field (or a personal number of another wire type). */
    private FieldDescriptor personalField(int tag) {
        if (WireFormat.getTagWireType(tag) != WireFormat.WIRETYPE_LENGTH_DELIMITED) {
            return null;
        }
        int number = WireFormat.getTagFieldNumber(tag);
        for (FieldDescriptor field : personal) {
            if (field.getNumber() == number) {
                return field;
            }
        }
        return null;
    }
}
