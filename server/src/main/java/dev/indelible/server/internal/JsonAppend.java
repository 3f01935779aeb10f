package dev.indelible.server.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.google.protobuf.ByteString;
import dev.indelible.ledger.EventId;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.InvalidEventException;
import dev.indelible.server.api.AppendRequest;
import dev.indelible.server.api.Condition;
import dev.indelible.server.api.ContentType;
import dev.indelible.server.api.Expect;
import dev.indelible.server.api.NewEvent;
import dev.indelible.server.api.TransactionRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.function.LongConsumer;

/**
 * HTTP's JSON appends read into the wire's {@link AppendRequest} in one streaming pass: an HTTP
 * body ({@code POST /streams/{stream}}) or an NDJSON line ({@code POST /append}). An event's
 * {@code data} object is copied as compact JSON into its {@link NewEvent}'s payload, never parsed
 * into a tree; {@link NewEvents} maps it. Errors are {@link ApiError}s naming the field.
 */
final class JsonAppend {
    private static final JsonFactory JSON = new JsonFactory();

    private JsonAppend() {
    }

    /** A body's append, and how its errors name the events (a single event: {@code data.x}). */
    record Body(AppendRequest request, AppendService.EventNames names) {
    }

    /**
     * {@code {"type", "data", "event_id"?}}, an array of them, or {@code {"events": [...],
     * "expected_version"?}}; {@code expected} is the query's {@code expected_version} (the body's wins).
     * {@code checkCount} sees the number of events before any is checked.
     */
    static Body body(String json, String stream, String expected, IntConsumer checkCount) {
        Parsed top;
        List<Parsed> events = null;
        try (JsonParser p = JSON.createParser(json)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                throw ApiError.invalid("body", "is empty");
            }
            top = first == JsonToken.START_ARRAY ? null : Parsed.read(p, Shape.BODY);
            if (first == JsonToken.START_ARRAY) {
                events = Parsed.array(p, Shape.EVENT);
            }
            if (p.nextToken() != null) {
                throw ApiError.invalid("body", "is not valid JSON: content after the JSON value (one value per body)");
            }
        } catch (JsonProcessingException e) {
            throw ApiError.invalid("body", "is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (top != null && top.eventsToken != null) {
            if (top.events == null) {
                throw ApiError.invalid("events", "must be an array of events");
            }
            events = top.events;
            if (top.expectedToken != null && top.expectedToken != JsonToken.VALUE_NULL) {
                expected = top.expected;
            }
        }
        AppendRequest.Builder request = AppendRequest.newBuilder().setStream(stream);
        expect(expected, "expected_version", request::setExpectedVersion, request::setExpect);
        if (events == null) {
            return new Body(request.addEvents(top.event("")).build(), AppendService.EventNames.BARE);
        }
        checkCount.accept(events.size());
        for (int i = 0; i < events.size(); i++) {
            request.addEvents(events.get(i).event("events[" + i + "]."));
        }
        return new Body(request.build(), AppendService.EventNames.INDEXED);
    }

    /** One NDJSON line: a single event's append, or a transaction (the other is null). */
    record Line(AppendRequest append, TransactionRequest transaction) {
    }

    /**
     * One NDJSON line, {@code {"stream", "type", "data", "event_id"?, "expect"?}}, or a transaction
     * as {@code POST /transactions} takes it, {@code {"parts": [...], "conditions": [...]}}; an
     * event of a single append without an id gets a fresh one here, so that its acknowledgement can
     * name it.
     */
    static Line line(String line) {
        Parsed parsed = object(line, Shape.LINE, "line", "must be a JSON object {\"stream\", \"type\", \"data\"}"
            + " or {\"parts\", \"conditions\"}", "content after the JSON object (one per line)");
        if (parsed.partsToken != null || parsed.conditionsToken != null) {
            if (parsed.streamToken != null || parsed.typeToken != null || parsed.dataToken != null) {
                throw ApiError.invalid("line", "is a transaction (it has parts) and an event (stream, type, data):"
                    + " put the event in a part");
            }
            return new Line(null, parsed.transaction());
        }
        parsed.checkData("");
        String stream = text(parsed.streamToken, parsed.stream, "stream", true);
        NewEvent event = parsed.event("");
        if (stream.isBlank()) {
            throw ApiError.invalid("stream", "is required (--stream)");
        }
        AppendRequest.Builder request = AppendRequest.newBuilder().setStream(stream)
            .addEvents(event.getEventId().isEmpty() ? event.toBuilder().setEventId(EventId.random().toString()).build() : event);
        String expect = parsed.expectedToken == null ? null : parsed.expectedToken == JsonToken.VALUE_NULL ? "null" : parsed.expected;
        expect(expect, "expect", request::setExpectedVersion, request::setExpect);
        return new Line(request.build(), null);
    }

    /**
     * A {@code POST /transactions} body: {@code {"parts": [{"stream", "expected_version"?,
     * "events": [...]}], "conditions"?: [{"stream", "expected_version"}]}}, events and expected
     * versions as in a single append's body.
     */
    static TransactionRequest transaction(String json) {
        return object(json, Shape.BODY, "body", "must be a JSON object {\"parts\": [...], \"conditions\": [...]}",
            "content after the JSON value (one value per body)").transaction();
    }

    /** The JSON object that must be all of {@code json}; errors name {@code field}. */
    private static Parsed object(String json, Shape shape, String field, String notAnObject, String trailing) {
        try (JsonParser p = JSON.createParser(json)) {
            JsonToken first = p.nextToken();
            if (first != JsonToken.START_OBJECT) {
                throw ApiError.invalid(field, first == null ? "is empty" : notAnObject);
            }
            Parsed parsed = Parsed.read(p, shape);
            if (p.nextToken() != null) {
                throw ApiError.invalid(field, "is not valid JSON: " + trailing);
            }
            return parsed;
        } catch (JsonProcessingException e) {
            throw ApiError.invalid(field, "is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code any} (or absent), {@code new}, {@code exists} or a version, as a request's oneof. */
    private static void expect(String text, String field, LongConsumer exact, Consumer<Expect> word) {
        long version = expectedVersion(text, field);
        if (version == ExpectedVersion.NO_STREAM) {
            word.accept(Expect.NO_STREAM);
        } else if (version == ExpectedVersion.STREAM_EXISTS) {
            word.accept(Expect.STREAM_EXISTS);
        } else if (version >= 0) {
            exact.accept(version);
        }
    }

    static long expectedVersion(String text, String field) {
        try {
            return EventInput.expected(text);
        } catch (InvalidEventException e) {
            throw ApiError.invalid(field, e.reason()); // the CLI's parse, named by the request's field
        }
    }

    private static String text(JsonToken token, String text, String field, boolean required) {
        if (token == null || token == JsonToken.VALUE_NULL) {
            if (required) {
                throw ApiError.invalid(field, "is required");
            }
            return null;
        }
        if (token != JsonToken.VALUE_STRING) {
            throw ApiError.invalid(field, "must be a string");
        }
        return text;
    }

    /**
     * Where an object stands, which decides the fields read: a body's top ({@code expected_version},
     * {@code events}, a transaction's {@code parts} and {@code conditions}), an NDJSON line
     * ({@code expect}, {@code parts}, {@code conditions}), a transaction's part or condition
     * ({@code expected_version}, {@code events}), or an event in an array.
     */
    private enum Shape {
        BODY, LINE, PART, EVENT;

        String expectedName() {
            return this == BODY || this == PART ? "expected_version" : "expect";
        }

        boolean hasEvents() {
            return this == BODY || this == PART;
        }

        boolean hasParts() {
            return this == BODY || this == LINE;
        }
    }

    /** The fields of one JSON object as read; checked only once the whole body is read. */
    private static final class Parsed {
        boolean object;
        JsonToken typeToken, idToken, dataToken, streamToken, expectedToken, eventsToken, partsToken, conditionsToken;
        String type, id, stream, expected;
        byte[] data;
        List<Parsed> events, parts, conditions;

        /** Reads the value at the parser (an object, or anything else: not an event). */
        static Parsed read(JsonParser p, Shape shape) throws IOException {
            Parsed parsed = new Parsed();
            if (p.currentToken() != JsonToken.START_OBJECT) {
                p.skipChildren();
                return parsed;
            }
            parsed.object = true;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                switch (name) {
                    case "type" -> parsed.type = scalar(p, parsed.typeToken = value);
                    case "event_id" -> parsed.id = scalar(p, parsed.idToken = value);
                    case "stream" -> parsed.stream = scalar(p, parsed.streamToken = value);
                    case "expect", "expected_version" -> {
                        if (name.equals(shape.expectedName())) {
                            parsed.expected = scalar(p, parsed.expectedToken = value);
                        } else {
                            p.skipChildren();
                        }
                    }
                    case "data" -> {
                        parsed.dataToken = value;
                        parsed.data = value == JsonToken.START_OBJECT ? copy(p) : null;
                        p.skipChildren();
                    }
                    case "events" -> {
                        parsed.eventsToken = shape.hasEvents() ? value : null;
                        parsed.events = shape.hasEvents() && value == JsonToken.START_ARRAY ? array(p, Shape.EVENT) : null;
                        p.skipChildren();
                    }
                    case "parts" -> {
                        parsed.partsToken = shape.hasParts() ? value : null;
                        parsed.parts = shape.hasParts() && value == JsonToken.START_ARRAY ? array(p, Shape.PART) : null;
                        p.skipChildren();
                    }
                    case "conditions" -> {
                        parsed.conditionsToken = shape.hasParts() ? value : null;
                        parsed.conditions = shape.hasParts() && value == JsonToken.START_ARRAY ? array(p, Shape.PART) : null;
                        p.skipChildren();
                    }
                    default -> p.skipChildren();
                }
            }
            return parsed;
        }

        static List<Parsed> array(JsonParser p, Shape shape) throws IOException {
            List<Parsed> elements = new ArrayList<>();
            while (p.nextToken() != JsonToken.END_ARRAY) {
                elements.add(read(p, shape));
            }
            return elements;
        }

        /** As a transaction: its parts and conditions, each checked and named ({@code parts[1].events[0].type}). */
        TransactionRequest transaction() {
            if (partsToken == null || partsToken == JsonToken.VALUE_NULL) {
                throw ApiError.invalid("parts", "is required: an array of {\"stream\", \"expected_version\", \"events\"}");
            }
            if (parts == null) {
                throw ApiError.invalid("parts", "must be an array of {\"stream\", \"expected_version\", \"events\"}");
            }
            if (conditionsToken != null && conditionsToken != JsonToken.VALUE_NULL && conditions == null) {
                throw ApiError.invalid("conditions", "must be an array of {\"stream\", \"expected_version\"}");
            }
            TransactionRequest.Builder tx = TransactionRequest.newBuilder();
            for (int i = 0; i < parts.size(); i++) {
                tx.addParts(parts.get(i).part("parts[" + i + "]"));
            }
            for (int i = 0; conditions != null && i < conditions.size(); i++) {
                tx.addConditions(conditions.get(i).condition("conditions[" + i + "]"));
            }
            return tx.build();
        }

        private AppendRequest part(String name) {
            String stream = streamOf(name, "\"events\"");
            AppendRequest.Builder part = AppendRequest.newBuilder().setStream(stream);
            expect(expectedOrNull(), name + ".expected_version", part::setExpectedVersion, part::setExpect);
            if (eventsToken == null || eventsToken == JsonToken.VALUE_NULL) {
                throw ApiError.invalid(name + ".events", "is required: an array of {\"type\", \"data\"}");
            }
            if (events == null) {
                throw ApiError.invalid(name + ".events", "must be an array of {\"type\", \"data\"}");
            }
            for (int i = 0; i < events.size(); i++) {
                part.addEvents(events.get(i).event(name + ".events[" + i + "]."));
            }
            return part.build();
        }

        private Condition condition(String name) {
            String stream = streamOf(name, "");
            if (eventsToken != null) {
                throw ApiError.invalid(name + ".events", "a condition writes nothing: move its events to a part");
            }
            if (expectedOrNull() == null) {
                throw ApiError.invalid(name + ".expected_version", "is required: new, exists or a version");
            }
            Condition.Builder condition = Condition.newBuilder().setStream(stream);
            expect(expected, name + ".expected_version", condition::setExpectedVersion, condition::setExpect);
            return condition.build();
        }

        private String streamOf(String name, String more) {
            if (!object) {
                throw ApiError.invalid(name, "must be a JSON object {\"stream\", \"expected_version\"" + (more.isEmpty() ? "" : ", " + more) + "}");
            }
            String text = text(streamToken, stream, name + ".stream", true);
            if (text.isBlank()) {
                throw ApiError.invalid(name + ".stream", "is required");
            }
            return text;
        }

        /** The expected version's text; JSON null is absent, as in a body. */
        private String expectedOrNull() {
            return expectedToken == null || expectedToken == JsonToken.VALUE_NULL ? null : expected;
        }

        /** A scalar's text (a number's as written), or "" for an object or array, which is skipped. */
        private static String scalar(JsonParser p, JsonToken value) throws IOException {
            if (value.isScalarValue()) {
                return p.getText();
            }
            p.skipChildren();
            return "";
        }

        /** The object at the parser as compact JSON, the parser left at its end. */
        private static byte[] copy(JsonParser p) throws IOException {
            ByteArrayBuilder out = new ByteArrayBuilder(256);
            try (JsonGenerator g = JSON.createGenerator(out)) {
                g.copyCurrentStructure(p);
            }
            return out.toByteArray();
        }

        void checkData(String prefix) {
            if (dataToken == null) {
                throw ApiError.invalid(prefix + "data", "is required");
            }
            if (data == null) {
                throw ApiError.invalid(prefix + "data", "must be a JSON object");
            }
        }

        /** As a {@link NewEvent} with a JSON payload; {@code prefix} names its place, e.g. {@code events[3].}. */
        NewEvent event(String prefix) {
            if (!object) {
                throw ApiError.invalid(prefix.isEmpty() ? "body" : prefix.substring(0, prefix.length() - 1),
                    "must be a JSON object {\"type\", \"data\"}");
            }
            checkData(prefix);
            String typeText = text(typeToken, type, prefix + "type", true);
            String eventId = text(idToken, id, prefix + "event_id", false);
            if (typeText.isBlank()) {
                throw ApiError.invalid(prefix + "type", "is required (--type)");
            }
            NewEvent.Builder event = NewEvent.newBuilder().setType(typeText).setContentType(ContentType.JSON)
                .setPayload(ByteString.copyFrom(data));
            return eventId == null ? event.build() : event.setEventId(eventId).build();
        }
    }
}
