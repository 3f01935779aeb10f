package dev.indelible.server;

import com.google.protobuf.UnsafeByteOperations;
import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.ContentType;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.EventId;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.InvalidEventException;
import dev.indelible.ledger.RecordedEvent;
import dev.indelible.server.IndelibleClient.RequestFailedException;
import dev.indelible.server.api.AppendOutcome;
import dev.indelible.server.api.AppendRequest;
import dev.indelible.server.api.Event;
import dev.indelible.server.api.Expect;
import dev.indelible.server.api.Failure;
import dev.indelible.server.api.NewEvent;
import java.util.List;

/**
 * The client's values to and from the {@code ledger_service.proto} messages: appends, their
 * outcomes as the embedded API's results, events read. Stateless.
 */
final class ClientWire {
    private ClientWire() {
    }

    static NewEvent newEvent(EventData e) {
        NewEvent.Builder event = NewEvent.newBuilder().setType(e.type()).setEventId(e.eventId().toString())
            .setContentType(e.contentType() == ContentType.JSON ? dev.indelible.server.api.ContentType.JSON
                : dev.indelible.server.api.ContentType.PROTOBUF)
            .setPayload(UnsafeByteOperations.unsafeWrap(e.payload())); // EventData's payload is not changed once handed over
        return e.metadata().isEmpty() ? event.build() : event.putAllMetadata(e.metadata()).build(); // an empty map still made a map field to serialize
    }

    static RecordedEvent recorded(Event e) {
        return new RecordedEvent(e.getGlobalSeq(), e.getStream(), e.getStreamVersion(), EventId.parse(e.getEventId()),
            e.getType(), e.getContentType() == dev.indelible.server.api.ContentType.JSON ? ContentType.JSON : ContentType.PROTOBUF,
            e.getRecordedAtMicros(), e.getProducerId(), e.getPayload().toByteArray(), e.getMetadataMap());
    }

    /** With its partition and next positions; over one partition the server sends neither: next is global_seq + 1. */
    static PositionedEvent positioned(Event e) {
        String next = e.getNextPositions().isEmpty() ? Long.toString(e.getGlobalSeq() + 1) : e.getNextPositions();
        return new PositionedEvent(e.getPartition(), recorded(e), next);
    }

    static AppendRequest request(String stream, long expectedVersion, List<EventData> events) {
        AppendRequest.Builder request = AppendRequest.newBuilder().setStream(stream);
        if (expectedVersion >= 0) {
            request.setExpectedVersion(expectedVersion);
        } else {
            request.setExpect(expect(expectedVersion));
        }
        events.forEach(e -> request.addEvents(newEvent(e)));
        return request.build();
    }

    static Expect expect(long expectedVersion) {
        return expectedVersion == ExpectedVersion.NO_STREAM ? Expect.NO_STREAM
            : expectedVersion == ExpectedVersion.STREAM_EXISTS ? Expect.STREAM_EXISTS : Expect.ANY;
    }

    /** An outcome as the embedded API's result; an invalid append or another failure throws. */
    static AppendResult result(String stream, long expectedVersion, AppendOutcome outcome) {
        if (outcome.hasAppended()) {
            var a = outcome.getAppended();
            return new AppendResult.Appended(a.getStream(), a.getFirstGlobalSeq(), a.getFirstStreamVersion(), a.getCount(),
                a.getDuplicate());
        }
        Failure f = outcome.getFailure();
        // The stream as stored (a reservation's keyed hash), as the embedded ledger and Appended.stream name it.
        String stored = f.getStream().isEmpty() ? stream : f.getStream();
        return switch (f.getError()) {
            case "wrong_expected_version" -> new AppendResult.WrongExpectedVersion(stored, expectedVersion, f.getActualVersion());
            case "event_id_conflict" -> new AppendResult.EventIdConflict(stored, EventId.parse(f.getEventId()),
                f.getExistingGlobalSeq(), f.getMessage());
            case "rule_violated" -> new AppendResult.RuleViolated(stored, f.getEventIndex(), f.getRule(),
                f.getField().replaceFirst("^(events\\[\\d+]\\.)?data\\.", ""),
                f.getCheckedStream(), f.getRequiredVersion(), f.getActualVersion(), f.getWhy());
            case "invalid_argument" -> throw new InvalidEventException(f.getField(), f.getMessage());
            default -> throw new RequestFailedException(f.getCode(), f.getField(), f.getMessage());
        };
    }
}
