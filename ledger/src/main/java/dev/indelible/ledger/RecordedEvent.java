package dev.indelible.ledger;

import java.util.Map;

/**
 * An event as the journal holds it, with the positions the ledger assigned. Only events whose
 * checksum verified are ever returned.
 *
 * <p>Immutable and thread-safe (do not modify {@code payload}).
 *
 * @param recordedAtMicros microseconds since the Unix epoch, from the ledger's clock at append
 */
public record RecordedEvent(long globalSeq, String stream, long streamVersion, EventId eventId, String type,
                            ContentType contentType, long recordedAtMicros, String producerId, byte[] payload,
                            Map<String, String> metadata) {
}
