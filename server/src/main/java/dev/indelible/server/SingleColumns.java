package dev.indelible.server;

import com.google.protobuf.UnsafeByteOperations;
import dev.indelible.ledger.ContentType;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.server.api.SingleEventColumns;
import java.util.Objects;

/** One-event appends as the client writes them into {@code AppendStreamRequest.singles}. Stateless. */
final class SingleColumns {
    private SingleColumns() {
    }

    /** Whether {@code event} can go as a single: one event without metadata (others go as an {@code AppendRequest}). */
    static boolean fits(EventData event) {
        return event.metadata().isEmpty();
    }

    /** Throws what building an {@code AppendRequest} of {@code event} would: on the caller's thread, not the sender's. */
    static void check(String stream, EventData event) {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(event.type(), "type");
        Objects.requireNonNull(event.eventId(), "eventId");
        Objects.requireNonNull(event.payload(), "payload");
    }

    /** The expected version as an {@code AppendRequest} would carry it: an unknown negative one is ANY. */
    static long wireVersion(long expectedVersion) {
        return expectedVersion >= 0 || expectedVersion == ExpectedVersion.NO_STREAM
            || expectedVersion == ExpectedVersion.STREAM_EXISTS ? expectedVersion : ExpectedVersion.ANY;
    }

    /** An upper bound of what the append adds to a request, in bytes. */
    static int bytes(String stream, EventData event) {
        // UTF-8 takes at most 3 bytes a UTF-16 char; tags, lengths, the version and the id: under 48
        return 3 * (stream.length() + event.type().length()) + event.payload().length + 48;
    }

    /** Adds the append: its stream, expected version and event, each in its column. */
    static void add(SingleEventColumns.Builder columns, String stream, long expectedVersion, EventData event) {
        columns.addStreams(stream).addExpectedVersions(expectedVersion).addTypes(event.type())
            .addEventIds(UnsafeByteOperations.unsafeWrap(event.eventId().toBytes()))
            .addContentTypes(event.contentType() == ContentType.JSON ? dev.indelible.server.api.ContentType.JSON
                : dev.indelible.server.api.ContentType.PROTOBUF)
            .addPayloads(UnsafeByteOperations.unsafeWrap(event.payload())); // not changed once handed over
    }
}
