package dev.indelible.ledger.internal.keys;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.InvalidEventException;
import dev.indelible.ledger.PersonalFields;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Objects;
import java.util.Set;

/**
 * {@link PersonalFields} of a JSON object event: top-level string fields, the subject named by one
 * of them. The object is copied token by token with the personal values replaced.
 *
 * <p>Immutable and thread-safe.
 */
public final class JsonPersonalFields implements PersonalFields {
    private static final JsonFactory JSON = new JsonFactory();

    private final String subjectPrefix;
    private final String subjectField;
    private final Set<String> fields;

    public JsonPersonalFields(String subjectPrefix, String subjectField, Set<String> fields) {
        this.subjectPrefix = Objects.requireNonNull(subjectPrefix, "subjectPrefix");
        this.subjectField = Objects.requireNonNull(subjectField, "subjectField");
        this.fields = Set.copyOf(fields);
        if (this.fields.contains(subjectField)) {
            throw new IllegalArgumentException("fields: the subject field " + subjectField + " cannot be personal");
        }
    }

    @Override
    public String subject(EventData event) {
        try (JsonParser parser = JSON.createParser(event.payload())) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new InvalidEventException("payload", "must be a JSON object");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                if (name.equals(subjectField)) {
                    if (!value.isScalarValue() || parser.getText().isEmpty()) {
                        break;
                    }
                    return subjectPrefix + parser.getText();
                }
                parser.skipChildren();
            }
        } catch (IOException e) {
            throw new InvalidEventException("payload", "is not valid JSON: " + e.getMessage());
        }
        throw new InvalidEventException(subjectField, "is required: it names the data subject of the personal fields "
            + fields);
    }

    @Override
    public byte[] seal(EventData event, Sealer sealer) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(event.payload().length * 2);
        try (JsonParser parser = JSON.createParser(event.payload()); JsonGenerator g = JSON.createGenerator(out)) {
            parser.nextToken();
            g.writeStartObject();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                g.writeFieldName(name);
                if (value == JsonToken.VALUE_STRING && fields.contains(name) && !parser.getText().isEmpty()) {
                    g.writeString(sealer.seal(name, parser.getText()));
                } else {
                    g.copyCurrentStructure(parser);
                }
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new InvalidEventException("payload", "is not valid JSON: " + e.getMessage());
        }
        return out.toByteArray();
    }
}
