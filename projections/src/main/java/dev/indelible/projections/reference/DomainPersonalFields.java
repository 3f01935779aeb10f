package dev.indelible.projections.reference;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.InvalidEventException;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.PersonalFields;
import dev.indelible.projections.proto.EventsProto;
import java.util.ArrayList;
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

    private final String type;
    private final FieldDescriptor subjectField;
    private final String subjectPrefix;
    private final List<FieldDescriptor> personal;

    private DomainPersonalFields(String type, FieldDescriptor subjectField, List<FieldDescriptor> personal) {
        this.type = type;
        this.subjectField = subjectField;
        this.subjectPrefix = subjectField.getOptions().getExtension(EventsProto.subjectPrefix);
        this.personal = List.copyOf(personal);
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

    /**
     * The payload {@link #subject} parsed on this thread, and its message: the ledger asks for the
     * subject and then seals the same event at once, so the seal reuses the parse. {@link #subject}
     * always parses afresh, and the seal takes it only for the very same array, then drops it.
     */
    private static final ThreadLocal<Object[]> PARSED = ThreadLocal.withInitial(() -> new Object[2]);

    @Override
    public String subject(EventData event) {
        Message message = DomainEvents.parse(event.type(), event.payload());
        Object[] parsed = PARSED.get();
        parsed[0] = event.payload();
        parsed[1] = message;
        String id = (String) message.getField(subjectField);
        if (id.isEmpty()) {
            throw new InvalidEventException(subjectField.getName(), "is required for " + type + ": it names the data subject");
        }
        return subjectPrefix + id;
    }

    @Override
    public byte[] seal(EventData event, Sealer sealer) {
        Object[] parsed = PARSED.get();
        Message message = parsed[0] == event.payload() ? (Message) parsed[1] : DomainEvents.parse(event.type(), event.payload());
        parsed[0] = null;
        parsed[1] = null;
        Message.Builder sealed = message.toBuilder();
        for (FieldDescriptor field : personal) {
            String value = (String) message.getField(field);
            if (!value.isEmpty()) {
                sealed.setField(field, sealer.seal(field.getName(), value));
            }
        }
        return sealed.build().toByteArray();
    }
}
