package dev.indelible.server.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.EventId;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.InvalidEventException;
import dev.indelible.ledger.Transaction;
import dev.indelible.projections.reference.DomainEvents;
import dev.indelible.server.api.AppendRequest;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * One event to append, for the {@code indelible} CLI (not API: it is public for the CLI of this
 * repository only): from command-line options or an NDJSON line
 * {@code {"stream": S, "type": T, "data": {...}, "event_id": optional, "expect": optional}}
 * (or a transaction's line, {@link #ofLine}), read as the server reads it. Domain types are mapped to their Protobuf message and validated; other
 * types are stored as JSON. Errors are {@link InvalidEventException}s naming the field.
 */
public record EventInput(String stream, long expectedVersion, EventData event) {
    /** Content after the first JSON value is refused, never ignored: {@code {ev1}{ev2}} is not one event. */
    private static final ObjectMapper MAPPER = new ObjectMapper()
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    public static EventInput of(String stream, String type, String json, String expect, String eventId) {
        if (stream == null || stream.isBlank()) {
            throw new InvalidEventException("stream", "is required (--stream)");
        }
        if (type == null || type.isBlank()) {
            throw new InvalidEventException("type", "is required (--type)");
        }
        if (json == null) {
            throw new InvalidEventException("data", "is required (--json '{...}')");
        }
        EventData event = DomainEvents.isDomainType(type) ? prefixed("data.", () -> DomainEvents.fromJson(type, json))
            : EventData.json(type, checkedObject(json).getBytes(StandardCharsets.UTF_8));
        if (eventId != null) {
            event = event.withEventId(EventId.parse(eventId));
        }
        return new EventInput(stream, expected(expect), event);
    }

    /** One NDJSON line to append: a single event, or a transaction (the other is null). */
    public record Line(EventInput event, Transaction transaction) {
    }

    /**
     * Parses one NDJSON line as {@code POST /append} does ({@link JsonAppend#line}, then the
     * server's mapping of its events): a single event, or a transaction when it has {@code parts};
     * errors name the field ({@code parts[1].events[0].type}).
     */
    public static Line ofLine(String line) {
        try {
            JsonAppend.Line parsed = JsonAppend.line(line);
            if (parsed.transaction() != null) {
                return new Line(null, WireTransactions.transaction(parsed.transaction()));
            }
            AppendRequest request = parsed.append();
            return new Line(new EventInput(request.getStream(), AppendService.expectedVersion(request),
                NewEvents.eventData(request.getEvents(0), "", -1)), null);
        } catch (ApiError e) {
            throw new InvalidEventException(e.field(), e.getMessage());
        }
    }

    /** {@code any}, {@code new}, {@code exists} or a stream version. */
    public static long expected(String expect) {
        if (expect == null) {
            return ExpectedVersion.ANY;
        }
        switch (expect.toLowerCase(Locale.ROOT)) {
            case "any":
                return ExpectedVersion.ANY;
            case "new":
                return ExpectedVersion.NO_STREAM;
            case "exists":
                return ExpectedVersion.STREAM_EXISTS;
            default:
                try {
                    long version = Long.parseLong(expect);
                    if (version >= 0) {
                        return version;
                    }
                } catch (NumberFormatException ignored) {
                    // reported below
                }
                throw new InvalidEventException("expect", "must be any, new, exists or a version >= 0, was '" + expect + "'");
        }
    }

    private static String checkedObject(String json) {
        try {
            JsonNode node = MAPPER.readTree(json);
            if (node == null || !node.isObject()) {
                throw new InvalidEventException("data", "must be a JSON object");
            }
            return json;
        } catch (JsonProcessingException e) {
            throw new InvalidEventException("data", "is not valid JSON: " + e.getOriginalMessage());
        }
    }

    private static EventData prefixed(String prefix, Supplier<EventData> mapping) {
        try {
            return mapping.get();
        } catch (InvalidEventException e) {
            String field = e.field().equals("data") ? "data" : prefix + e.field();
            throw new InvalidEventException(field, e.reason());
        }
    }
}
