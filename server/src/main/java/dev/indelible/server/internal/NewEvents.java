package dev.indelible.server.internal;

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
            EventData data = switch (e.getContentType()) {
                case PROTOBUF -> protobuf(e);
                case JSON -> DomainEvents.isDomainType(e.getType()) ? domainJson(e)
                    : new EventData(provisionalId(e), e.getType(), ContentType.JSON, e.getPayload().toByteArray(), null);
                default -> throw new InvalidEventException("content_type", "must be PROTOBUF or JSON");
            };
            if (!e.getEventId().isEmpty()) {
                data = data.withEventId(EventId.parse(e.getEventId()));
            }
            return e.getMetadataCount() == 0 ? data : data.withMetadata(e.getMetadataMap());
        } catch (InvalidEventException invalid) {
            throw ApiError.invalid(prefix + (index < 0 ? "" : "events[" + index + "].") + invalid.field(), invalid.reason());
        }
    }

    /**
     * A fresh random id for an event sent without one; for one with its own, a placeholder that
     * {@link #eventData} replaces once the payload was checked (drawing a secure random id only to
     * drop it cost every append a SHA-256 block).
     */
    private static EventId provisionalId(NewEvent e) {
        return e.getEventId().isEmpty() ? EventId.random() : REPLACED;
    }

    private static final EventId REPLACED = new EventId(0, 0);

    private static EventData protobuf(NewEvent e) {
        EventData data = new EventData(provisionalId(e), e.getType(), ContentType.PROTOBUF, e.getPayload().toByteArray(), null);
        if (DomainEvents.isDomainType(e.getType())) {
            domain(() -> {
                DomainEvents.validate(data);
                return data;
            });
        }
        return data;
    }

    /** A domain type's JSON object as its validated message: in one pass when plain, else by Protobuf's JSON mapping. */
    private static EventData domainJson(NewEvent e) {
        byte[] message = DomainJson.protobuf(e.getType(), e.getPayload().toByteArray());
        if (message == null) {
            return domain(() -> DomainEvents.fromJson(e.getType(), utf8(e)));
        }
        EventData data = new EventData(provisionalId(e), e.getType(), ContentType.PROTOBUF, message, null);
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

    private static String utf8(NewEvent e) {
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(e.getPayload().asReadOnlyByteBuffer()).toString();
        } catch (CharacterCodingException invalid) {
            throw new InvalidEventException("payload", "is not valid UTF-8");
        }
    }
}
