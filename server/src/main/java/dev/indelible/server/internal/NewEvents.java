package dev.indelible.server.internal;

import com.google.protobuf.ByteString;
import dev.indelible.ledger.ContentType;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.EventId;
import dev.indelible.ledger.InvalidEventException;
import dev.indelible.projections.reference.DomainEvents;
import dev.indelible.server.api.NewEvent;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Supplier;

/**
 * A wire {@link NewEvent} as the ledger's {@link EventData}, for every transport. A domain type's
 * payload may be its Protobuf message or its JSON object; either is validated here so that errors
 * name the field the same way on every API ({@code data.media_type}).
 */
final class NewEvents {
    private NewEvents() {
    }

    /**
     * @param prefix names the event's place in the request in errors, e.g. {@code parts[1].}
     * @param index  the event's index, named after the prefix ({@code events[3].}); negative: not named
     *               (the name is built only for an error: it cost every append a string concatenation)
     */
    static EventData eventData(NewEvent e, String prefix, int index) {
        try {
            boolean ownId = !e.getEventId().isEmpty();
            EventData data = withPayload(e.getType(), e.getContentType(), e.getPayload(), ownId);
            if (ownId) {
                data = data.withEventId(EventId.parse(e.getEventId()));
            }
            return e.getMetadataCount() == 0 ? data : data.withMetadata(e.getMetadataMap());
        } catch (InvalidEventException invalid) {
            throw named(prefix, index, invalid);
        }
    }

    /**
     * One event of a {@code SingleEventColumns} append, named in errors as the one event of an
     * {@code AppendRequest} ({@code events[0].type}).
     *
     * @param eventId 16 bytes, big-endian; empty: a fresh id
     */
    static EventData eventData(String type, dev.indelible.server.api.ContentType contentType, ByteString payload,
                               ByteString eventId) {
        try {
            EventData data = withPayload(type, contentType, payload, !eventId.isEmpty());
            return eventId.isEmpty() ? data : data.withEventId(EventId.fromBytes(eventId.toByteArray()));
        } catch (InvalidEventException invalid) {
            throw named("", 0, invalid);
        }
    }

    private static ApiError named(String prefix, int index, InvalidEventException invalid) {
        return ApiError.invalid(prefix + (index < 0 ? "" : "events[" + index + "].") + invalid.field(), invalid.reason());
    }

    /**
     * The event with its payload checked, and a fresh random id unless it has its own, which the
     * caller sets (drawing a secure random id only to drop it cost every append a SHA-256 block).
     */
    private static EventData withPayload(String type, dev.indelible.server.api.ContentType contentType, ByteString payload,
                                         boolean ownId) {
        EventId id = ownId ? REPLACED : EventId.random();
        return switch (contentType) {
            case PROTOBUF -> protobuf(id, type, payload);
            case JSON -> DomainEvents.isDomainType(type) ? domainJson(id, type, payload)
                : new EventData(id, type, ContentType.JSON, payload.toByteArray(), null);
            default -> throw new InvalidEventException("content_type", "must be PROTOBUF or JSON");
        };
    }

    private static final EventId REPLACED = new EventId(0, 0);

    private static EventData protobuf(EventId id, String type, ByteString payload) {
        EventData data = new EventData(id, type, ContentType.PROTOBUF, payload.toByteArray(), null);
        if (DomainEvents.isDomainType(type)) {
            domain(() -> {
                DomainEvents.validate(data);
                return data;
            });
        }
        return data;
    }

    /** A domain type's JSON object as its validated message: in one pass when plain, else by Protobuf's JSON mapping. */
    private static EventData domainJson(EventId id, String type, ByteString payload) {
        byte[] message = DomainJson.protobuf(type, payload.toByteArray());
        if (message == null) {
            return domain(() -> DomainEvents.fromJson(type, utf8(payload)));
        }
        EventData data = new EventData(id, type, ContentType.PROTOBUF, message, null);
        return domain(() -> {
            DomainEvents.validate(data);
            return data;
        });
    }

    /** Runs a domain mapping or check, naming a payload field as {@code data.<field>}. */
    private static EventData domain(Supplier<EventData> mapping) {
        try {
            return mapping.get();
        } catch (InvalidEventException e) {
            boolean payloadField = !List.of("data", "payload", "content_type", "type").contains(e.field());
            throw new InvalidEventException(payloadField ? "data." + e.field() : e.field(), e.reason());
        }
    }

    private static String utf8(ByteString payload) {
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(payload.asReadOnlyByteBuffer()).toString();
        } catch (CharacterCodingException invalid) {
            throw new InvalidEventException("payload", "is not valid UTF-8");
        }
    }
}
