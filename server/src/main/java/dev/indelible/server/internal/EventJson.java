package dev.indelible.server.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.indelible.ledger.ContentType;
import dev.indelible.ledger.PersonalData;
import dev.indelible.ledger.RecordedEvent;
import dev.indelible.ledger.proto.OperationRecorded;
import dev.indelible.projections.reference.DomainEvents;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;

/**
 * One NDJSON line per event: positions, type, id, time and the payload decoded to JSON (domain and
 * {@code ops.*} messages through their Protobuf JSON mapping, JSON payloads as they are, other
 * bytes as {@code data_base64}). Sealed personal fields are opened ({@link PersonalData#opened}, as
 * every read does), or read {@link PersonalData#ERASED} once their subject is erased. Shared by the server's reads and the {@code indelible} CLI's output;
 * public for that CLI only, not API.
 */
public final class EventJson {
    private static final JsonFactory JSON = new JsonFactory();

    private EventJson() {
    }

    /** One event as a JSON object, without a newline, its sealed fields opened with {@code personal}. */
    public static String line(RecordedEvent sealed, PersonalData personal) {
        return line(sealed, personal, -1, null);
    }

    /**
     * A followed event as {@code GET /events} and {@code /subscribe} write it: over several
     * partitions with its {@code partition} and {@code next}, where to read on past it.
     */
    static String line(EventFeed.Item item, PersonalData personal) {
        return item.after() == null ? line(item.event(), personal)
            : line(item.event(), personal, item.partition(), item.after().toString());
    }

    /**
     * An event read from a journal of several partitions: with its {@code partition} and
     * {@code next}, the positions to read on from past it ({@code 12,0,7}).
     */
    public static String line(RecordedEvent sealed, PersonalData personal, int partition, String next) {
        RecordedEvent e = personal.opened(sealed);
        return object(g -> {
            g.writeNumberField("global_seq", e.globalSeq());
            g.writeStringField("stream", e.stream());
            g.writeNumberField("stream_version", e.streamVersion());
            g.writeStringField("type", e.type());
            g.writeStringField("event_id", e.eventId().toString());
            g.writeStringField("recorded_at", Instant.EPOCH.plus(e.recordedAtMicros(), ChronoUnit.MICROS).toString());
            g.writeStringField("producer_id", e.producerId());
            String data = data(e);
            if (data != null) {
                g.writeFieldName("data");
                g.writeRawValue(data);
            } else {
                g.writeStringField("data_base64", Base64.getEncoder().encodeToString(e.payload()));
            }
            if (!e.metadata().isEmpty()) {
                g.writeObjectFieldStart("metadata");
                for (Map.Entry<String, String> m : new TreeMap<>(e.metadata()).entrySet()) {
                    g.writeStringField(m.getKey(), m.getValue());
                }
                g.writeEndObject();
            }
            if (next != null) {
                g.writeNumberField("partition", partition);
                g.writeStringField("next", next);
            }
        });
    }

    private static String data(RecordedEvent e) {
        if (e.contentType() == ContentType.JSON) {
            return new String(e.payload(), StandardCharsets.UTF_8);
        }
        try {
            if (DomainEvents.isDomainType(e.type())) {
                return DomainEvents.toJson(e.type(), e.payload());
            }
            if (e.type().startsWith("ops.")) {
                return DomainEvents.toJson(OperationRecorded.parseFrom(e.payload()));
            }
        } catch (InvalidProtocolBufferException | RuntimeException unreadable) {
            return null;
        }
        return null;
    }

    /** Writes one JSON object with {@code body} and returns it as a line without the newline. */
    public static String object(Body body) {
        StringWriter text = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(text)) {
            g.writeStartObject();
            body.write(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }

    @FunctionalInterface
    public interface Body {
        void write(JsonGenerator g) throws IOException;
    }
}
