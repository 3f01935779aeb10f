package dev.indelible.ledger;

import java.util.Map;
import java.util.Objects;

/**
 * One event a producer wants appended: its idempotency key, type, payload and metadata.
 * The ledger assigns the stream, versions, sequence and time.
 *
 * <p>Immutable and thread-safe as long as the caller does not change {@code payload} after
 * handing it over (it is not copied: the hot path allocates nothing beyond the caller's payload).
 */
public record EventData(EventId eventId, String type, ContentType contentType, byte[] payload,
                        Map<String, String> metadata) {

    public EventData {
        metadata = metadata == null ? Map.of() : metadata;
    }

    /** A Protobuf payload with a fresh random id. */
    public static EventData protobuf(String type, byte[] payload) {
        return new EventData(EventId.random(), type, ContentType.PROTOBUF, payload, Map.of());
    }

    /** A JSON-object payload with a fresh random id. */
    public static EventData json(String type, byte[] utf8Json) {
        return new EventData(EventId.random(), type, ContentType.JSON, utf8Json, Map.of());
    }

    /** The same event with the given idempotency key. */
    public EventData withEventId(EventId id) {
        return new EventData(id, type, contentType, payload, metadata);
    }

    /** The same event with the given metadata (at most {@link LedgerConfig#maxMetadataEntries()} entries). */
    public EventData withMetadata(Map<String, String> newMetadata) {
        return new EventData(eventId, type, contentType, payload, Objects.requireNonNull(newMetadata, "metadata"));
    }
}
