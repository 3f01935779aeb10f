package dev.indelible.ledger.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.indelible.ledger.ContentType;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.EventId;
import dev.indelible.ledger.EventRule;
import dev.indelible.ledger.EventValidator;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.InvalidEventException;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.Operations;
import dev.indelible.ledger.proto.OperationRecorded;
import dev.indelible.ledger.Transaction;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * Checks an append's input before anything is written, and names the field and the reason when
 * it refuses; asks each event's {@link EventRule} what it requires and refuses an event sent to a
 * stream its rule does not allow. Runs outside the write lock; the versions a rule requires are
 * checked under it ({@link WriteStep}).
 *
 * <p>Thread-safe and stateless.
 */
final class AppendChecks {
    private static final JsonFactory JSON = new JsonFactory();
    private static final String AUDIT_TYPE_PREFIX = "ops.";

    private final LedgerConfig config;

    AppendChecks(LedgerConfig config) {
        this.config = config;
    }

    /** @return what the event's rule requires (one element), or null when its type has no rule */
    EventRule.Requirement[] check(String stream, long expectedVersion, EventData event) {
        checkName("stream", stream, config.maxStreamBytes());
        ExpectedVersion.check(expectedVersion);
        checkEvent(-1, 0, event, false);
        checkAuditRecord(stream, -1, 0, event);
        EventRule rule = config.rule(event.type());
        if (rule == null) {
            return null;
        }
        return new EventRule.Requirement[] {require(rule, stream, -1, 0, 1, event)};
    }

    /** @return what each event's rule requires (null for an event without one), or null when none has a rule */
    EventRule.Requirement[] check(String stream, long expectedVersion, List<EventData> events) {
        checkInput(stream, expectedVersion, events);
        for (int i = 0; i < events.size(); i++) {
            checkAuditRecord(stream, -1, i, events.get(i));
        }
        return requirements(stream, events);
    }

    /** The checks of {@link #check} but the rules': for copies of recorded events, kept as they were. */
    void checkInput(String stream, long expectedVersion, List<EventData> events) {
        checkName("stream", stream, config.maxStreamBytes());
        ExpectedVersion.check(expectedVersion);
        if (events == null || events.isEmpty()) {
            throw new InvalidEventException("events", "must hold at least one event");
        }
        if (events.size() > config.maxEventsPerAppend()) {
            throw new InvalidEventException("events", "holds " + events.size() + " events, over the limit of "
                + config.maxEventsPerAppend() + " per append");
        }
        for (int i = 0; i < events.size(); i++) {
            checkEvent(-1, i, events.get(i), false);
        }
        if (events.size() > 1) {
            checkDistinctIds(1, p -> events, events.size(), false);
        }
    }

    /**
     * Checks a transaction: each part as an append, each stream once, the event ids distinct across
     * it, the events within the per-append limit.
     *
     * @return per part, what each event's rule requires ({@link #check(String, long, List)}'s form), or
     *         null when no event has a rule
     */
    EventRule.Requirement[][] check(Transaction transaction) {
        checkParts(transaction, false);
        EventRule.Requirement[][] requirements = null;
        List<Transaction.Part> parts = transaction.parts();
        for (int p = 0; p < parts.size(); p++) {
            List<EventData> events = parts.get(p).events();
            for (int i = 0; i < events.size(); i++) {
                checkAuditRecord(parts.get(p).stream(), p, i, events.get(i));
                EventRule rule = config.rule(events.get(i).type());
                if (rule != null) {
                    if (requirements == null) {
                        requirements = new EventRule.Requirement[parts.size()][];
                    }
                    if (requirements[p] == null) {
                        requirements[p] = new EventRule.Requirement[events.size()];
                    }
                    requirements[p][i] = require(rule, parts.get(p).stream(), p, i, 2, events.get(i));
                }
            }
        }
        return requirements;
    }

    /**
     * The checks of {@link #check(Transaction)} but the rules'; with {@code recorded}, for copies of
     * recorded events, whose personal fields are sealed: the validators of those types checked them in
     * clear at their first append and are not asked again.
     */
    void checkParts(Transaction transaction, boolean recorded) {
        if (transaction == null || transaction.parts() == null || transaction.parts().isEmpty()) {
            throw new InvalidEventException("parts", "must hold at least one part");
        }
        if (transaction.conditions() == null) {
            throw new InvalidEventException("conditions", "is required (it may be empty)");
        }
        List<Transaction.Part> parts = transaction.parts();
        List<Transaction.Condition> conditions = transaction.conditions();
        Set<String> streams = parts.size() + conditions.size() > 16 ? new HashSet<>() : null;
        int total = 0;
        for (int p = 0; p < parts.size(); p++) {
            Transaction.Part part = parts.get(p);
            if (part == null) {
                throw new InvalidEventException("parts[" + p + "]", "is missing");
            }
            checkStream(transaction, p, part.stream(), part.expectedVersion(), streams);
            if (part.events() == null || part.events().isEmpty()) {
                throw new InvalidEventException("parts[" + p + "].events", "must hold at least one event");
            }
            total += part.events().size();
            if (total > config.maxEventsPerAppend()) {
                throw new InvalidEventException("parts", "hold more than " + config.maxEventsPerAppend()
                    + " events, the limit per append");
            }
            for (int i = 0; i < part.events().size(); i++) {
                checkEvent(p, i, part.events().get(i), recorded);
            }
        }
        for (int c = 0; c < conditions.size(); c++) {
            Transaction.Condition condition = conditions.get(c);
            if (condition == null) {
                throw new InvalidEventException("conditions[" + c + "]", "is missing");
            }
            checkStream(transaction, parts.size() + c, condition.stream(), condition.expectedVersion(), streams);
        }
        checkDistinctIds(parts.size(), p -> parts.get(p).events(), total, true);
    }

    /**
     * The stream and expected version of part {@code at} (or, past the parts, of a condition), which
     * names a stream no part or condition before it names ({@code seen}: those streams, or null to
     * compare pairwise, for a few). Field names are built only for an error.
     */
    private void checkStream(Transaction transaction, int at, String stream, long expectedVersion, Set<String> seen) {
        String problem = nameProblem(stream, config.maxStreamBytes());
        if (problem != null) {
            throw new InvalidEventException(streamField(transaction, at) + ".stream", problem);
        }
        try {
            ExpectedVersion.check(expectedVersion);
        } catch (InvalidEventException e) {
            throw new InvalidEventException(streamField(transaction, at) + ".expected_version", e.reason());
        }
        if (seen != null ? !seen.add(stream) : appearsBefore(transaction, at, stream)) {
            int earlier = 0;
            while (!stream.equals(streamAt(transaction, earlier))) {
                earlier++;
            }
            throw new InvalidEventException(streamField(transaction, at) + ".stream", "repeats the stream of "
                + streamField(transaction, earlier) + " (" + stream + "): a transaction names each stream once");
        }
    }

    private static boolean appearsBefore(Transaction transaction, int at, String stream) {
        for (int earlier = 0; earlier < at; earlier++) {
            if (stream.equals(streamAt(transaction, earlier))) {
                return true;
            }
        }
        return false;
    }

    private static String streamAt(Transaction transaction, int at) {
        int parts = transaction.parts().size();
        return at < parts ? transaction.parts().get(at).stream() : transaction.conditions().get(at - parts).stream();
    }

    private static String streamField(Transaction transaction, int at) {
        int parts = transaction.parts().size();
        return at < parts ? "parts[" + at + "]" : "conditions[" + (at - parts) + "]";
    }

    /**
     * Event ids distinct across a transaction's parts, or an append's events (as one part, named
     * without it): pairwise for a few events, through a set for many.
     */
    private static void checkDistinctIds(int parts, IntFunction<List<EventData>> eventsOf, int total,
                                         boolean transaction) {
        Set<EventId> seen = total > 16 ? new HashSet<>() : null;
        for (int p = 0; p < parts; p++) {
            List<EventData> events = eventsOf.apply(p);
            for (int i = 0; i < events.size(); i++) {
                EventId id = events.get(i).eventId();
                if (seen != null ? !seen.add(id) : appearsBefore(eventsOf, p, i, id)) {
                    throw new InvalidEventException(eventField(transaction ? p : -1, i) + ".event_id",
                        "repeats an earlier event id of the same " + (transaction ? "transaction" : "append") + ": "
                            + id);
                }
            }
        }
    }

    private static boolean appearsBefore(IntFunction<List<EventData>> eventsOf, int part, int event, EventId id) {
        for (int q = 0; q <= part; q++) {
            List<EventData> events = eventsOf.apply(q);
            for (int j = 0; j < (q == part ? event : events.size()); j++) {
                if (events.get(j).eventId().equals(id)) {
                    return true;
                }
            }
        }
        return false;
    }

    private EventRule.Requirement[] requirements(String stream, List<EventData> events) {
        EventRule.Requirement[] requirements = null;
        for (int i = 0; i < events.size(); i++) {
            EventRule rule = config.rule(events.get(i).type());
            if (rule != null) {
                if (requirements == null) {
                    requirements = new EventRule.Requirement[events.size()];
                }
                requirements[i] = require(rule, stream, -1, i, events.size(), events.get(i));
            }
        }
        return requirements;
    }

    /** {@code part}: the event's part in a transaction, or -1 in an append; only an error names it. */
    private static EventRule.Requirement require(EventRule rule, String stream, int part, int i, int count,
                                                 EventData event) {
        EventRule.Requirement requirement = rule.require(event);
        if (requirement == null) {
            throw new IllegalStateException("the rule of " + event.type() + " returned no requirement");
        }
        if (!requirement.stream().equals(stream)) {
            throw new InvalidEventException((part < 0 ? "" : "parts[" + part + "].") + "stream", "rule " + event.type()
                + ": " + (count > 1 ? eventField(part, i) + " " : "") + "belongs to stream " + requirement.stream()
                + " (named by " + requirement.field() + "), not " + stream);
        }
        return requirement;
    }

    /** {@code part}: the event's part in a transaction, or -1 in an append; only an error names it. */
    private void checkEvent(int part, int i, EventData event, boolean recorded) {
        if (event == null) {
            throw new InvalidEventException(eventField(part, i), "is missing");
        }
        if (event.eventId() == null) {
            throw new InvalidEventException(eventField(part, i) + ".event_id", "is required");
        }
        String typeProblem = nameProblem(event.type(), config.maxTypeBytes());
        if (typeProblem != null) {
            throw new InvalidEventException(eventField(part, i) + ".type", typeProblem);
        }
        if (event.contentType() == null) {
            throw new InvalidEventException(eventField(part, i) + ".content_type", "is required (PROTOBUF or JSON)");
        }
        byte[] payload = event.payload();
        if (payload == null) {
            throw new InvalidEventException(eventField(part, i) + ".payload", "is required");
        }
        if (payload.length > config.maxPayloadBytes()) {
            throw new InvalidEventException(eventField(part, i) + ".payload", "is " + payload.length
                + " bytes, over the limit of " + config.maxPayloadBytes());
        }
        checkMetadata(part, i, event.metadata());
        EventValidator validator = recorded && config.personalFields(event.type()) != null ? null
            : config.validator(event.type());
        if (validator != null) {
            validator.validate(event);
        } else if (event.contentType() == ContentType.JSON && !JsonSyntax.isObject(payload)) {
            // Not certainly valid: Jackson decides and words the error.
            checkJsonObject(eventField(part, i) + ".payload", payload);
        }
    }

    /**
     * An {@code ops-} stream holds the ledger's own audit records ({@link Operations#record}): type
     * {@code ops.<operation>}, an {@link OperationRecorded} payload. Anything else there would be read
     * as one: an unreadable {@code ops.erase} stops every reader of personal data. Copies of recorded
     * events are not checked: they keep what the journal they come from holds.
     */
    private static void checkAuditRecord(String stream, int part, int i, EventData event) {
        if (!stream.startsWith(Operations.STREAM_PREFIX)) {
            return;
        }
        String where = " on " + stream + ", a stream of the ledger's audit trail (ops-*), which holds only the"
            + " records of its operations";
        if (!event.type().startsWith(AUDIT_TYPE_PREFIX)) {
            throw new InvalidEventException(eventField(part, i) + ".type", "must be ops.<operation>" + where);
        }
        if (event.contentType() != ContentType.PROTOBUF) {
            throw new InvalidEventException(eventField(part, i) + ".content_type", "must be PROTOBUF" + where);
        }
        try {
            OperationRecorded.parseFrom(event.payload());
        } catch (InvalidProtocolBufferException e) {
            throw new InvalidEventException(eventField(part, i) + ".payload", "is not an OperationRecorded" + where
                + ": " + e.getMessage());
        }
    }

    private void checkMetadata(int part, int i, Map<String, String> metadata) {
        if (metadata.size() > config.maxMetadataEntries()) {
            throw new InvalidEventException(eventField(part, i) + ".metadata", "has " + metadata.size()
                + " entries, over the limit of " + config.maxMetadataEntries());
        }
        if (metadata.isEmpty()) {
            return;
        }
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            if (e.getKey() == null || e.getKey().isEmpty() || e.getValue() == null) {
                throw new InvalidEventException(eventField(part, i) + ".metadata",
                    "keys must be non-empty and values non-null");
            }
        }
    }

    private static void checkJsonObject(String field, byte[] payload) {
        try (JsonParser parser = JSON.createParser(payload)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new InvalidEventException(field, "must be a JSON object");
            }
            parser.skipChildren();
            if (parser.nextToken() != null) {
                throw new InvalidEventException(field, "has content after the JSON object");
            }
        } catch (JsonProcessingException e) {
            throw new InvalidEventException(field, "is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new InvalidEventException(field, "cannot be read as JSON: " + e.getMessage());
        }
    }

    /** "events[1]", or "parts[2].events[1]" for an event of a transaction's part 2. */
    private static String eventField(int part, int i) {
        return (part < 0 ? "" : "parts[" + part + "].") + "events[" + i + "]";
    }

    /** Non-empty, at most {@code maxBytes} UTF-8 bytes, no control characters. Allocates nothing for ASCII. */
    static void checkName(String field, String value, int maxBytes) {
        String problem = nameProblem(value, maxBytes);
        if (problem != null) {
            throw new InvalidEventException(field, problem);
        }
    }

    /** Why {@code value} is not a valid name, or null when it is. */
    private static String nameProblem(String value, int maxBytes) {
        if (value == null || value.isEmpty()) {
            return "must not be empty";
        }
        int length = value.length();
        if (length <= maxBytes) {
            // The usual name, printable ASCII: one byte a character, so short enough already.
            int i = 0;
            while (i < length && (char) (value.charAt(i) - 0x20) < 0x7F - 0x20) {
                i++;
            }
            if (i == length) {
                return null;
            }
        }
        int bytes = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c)) {
                return "must not contain control characters (at index " + i + ")";
            }
            bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
        }
        return bytes > maxBytes ? "is " + bytes + " UTF-8 bytes, over the limit of " + maxBytes : null;
    }
}
