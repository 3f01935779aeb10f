package dev.indelible.server.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.Transaction;
import dev.indelible.ledger.TransactionResult;
import dev.indelible.server.api.AppendRequest;
import dev.indelible.server.api.Appended;
import dev.indelible.server.api.Condition;
import dev.indelible.server.api.Expect;
import dev.indelible.server.api.Failure;
import dev.indelible.server.api.TransactionCommitted;
import dev.indelible.server.api.TransactionOutcome;
import dev.indelible.server.api.TransactionRequest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Transactions on the wire, for every transport: a {@link TransactionRequest} as the ledger's
 * {@link Transaction} (errors name the field, {@code parts[1].events[0].type}), and
 * {@link #outcome} the one mapping of a {@link TransactionResult} to the wire, built on
 * {@link AppendService#outcome}'s mapping of each part's refusal. Stateless.
 */
final class WireTransactions {
    private WireTransactions() {
    }

    /** The request as the ledger's transaction; domain payloads are mapped and validated as in an append. */
    static Transaction transaction(TransactionRequest request) {
        if (request.getPartsCount() == 0) {
            throw ApiError.invalid("parts", "is empty: give at least one part {\"stream\", \"expected_version\", \"events\"}");
        }
        Transaction.Builder tx = Transaction.builder();
        for (int p = 0; p < request.getPartsCount(); p++) {
            AppendRequest part = request.getParts(p);
            String prefix = "parts[" + p + "].";
            if (part.getEventsCount() == 0) {
                throw ApiError.invalid(prefix + "events", "is empty: give at least one event");
            }
            List<EventData> events = new ArrayList<>(part.getEventsCount());
            for (int i = 0; i < part.getEventsCount(); i++) {
                events.add(NewEvents.eventData(part.getEvents(i), prefix, i));
            }
            tx.append(part.getStream(), expectedVersion(prefix, part), events);
        }
        for (int c = 0; c < request.getConditionsCount(); c++) {
            Condition condition = request.getConditions(c);
            tx.require(condition.getStream(), expectedVersion("conditions[" + c + "].", condition));
        }
        return tx.build();
    }

    /** How many events the request holds, over every part. */
    static int eventCount(TransactionRequest request) {
        int n = 0;
        for (AppendRequest part : request.getPartsList()) {
            n += part.getEventsCount();
        }
        return n;
    }

    /**
     * The one mapping of a transaction's result to the wire: {@code committed}, or the
     * {@link Failure} of the part (a part's refusal as a single append's, its field under
     * {@code parts[i].}) or of the condition ({@code wrong_expected_version} on
     * {@code conditions[i].expected_version}), with the ledger's message naming it.
     */
    static TransactionOutcome outcome(TransactionResult result, TransactionRequest request) {
        if (result instanceof TransactionResult.Committed c) {
            TransactionCommitted.Builder committed = TransactionCommitted.newBuilder().setDuplicate(c.duplicate())
                .setFirstGlobalSeq(c.firstGlobalSeq()).setLastGlobalSeq(c.lastGlobalSeq());
            c.parts().forEach(part -> committed.addParts(AppendService.outcome(part, true).getAppended()));
            return TransactionOutcome.newBuilder().setCommitted(committed).build();
        }
        Failure.Builder f;
        if (result instanceof TransactionResult.PartRefused refused) {
            f = AppendService.outcome(refused.refusal(), true).getFailure().toBuilder().setPart(refused.part());
            String field = f.getField();
            if (refused.refusal() instanceof AppendResult.EventIdConflict conflict) {
                field = eventIdField(request.getParts(refused.part()), conflict.eventId().toString());
            }
            f.setField("parts[" + refused.part() + "]." + field);
        } else {
            TransactionResult.ConditionFailed failed = (TransactionResult.ConditionFailed) result;
            f = Failure.newBuilder().setCode("FAILED_PRECONDITION").setError("wrong_expected_version")
                .setField("conditions[" + failed.condition() + "].expected_version").setStream(failed.stream())
                .setExpectedVersion(failed.expectedVersion()).setActualVersion(failed.actualVersion())
                .setCondition(failed.condition());
        }
        return TransactionOutcome.newBuilder().setFailure(f.setMessage(result.message())).build();
    }

    /** A request refused before the ledger saw it, as an outcome. */
    static TransactionOutcome failed(ApiError e) {
        return TransactionOutcome.newBuilder().setFailure(e.failure).build();
    }

    /**
     * The JSON of a committed transaction: {@code {"line"?, "first_global_seq", "last_global_seq",
     * "duplicate", "parts": [...]}}, each part as {@code POST /streams/{stream}} answers an append.
     */
    static String json(TransactionCommitted c, Long line) {
        return EventJson.object(g -> {
            if (line != null) {
                g.writeNumberField("line", line);
            }
            g.writeNumberField("first_global_seq", c.getFirstGlobalSeq());
            g.writeNumberField("last_global_seq", c.getLastGlobalSeq());
            g.writeBooleanField("duplicate", c.getDuplicate());
            g.writeArrayFieldStart("parts");
            for (Appended a : c.getPartsList()) {
                g.writeStartObject();
                appendedFields(g, a);
                g.writeEndObject();
            }
            g.writeEndArray();
        });
    }

    /** An append's positions as HTTP writes them, in a single append's answer and in each part. */
    static void appendedFields(JsonGenerator g, Appended a) throws IOException {
        g.writeStringField("stream", a.getStream());
        g.writeNumberField("first_global_seq", a.getFirstGlobalSeq());
        g.writeNumberField("last_global_seq", a.getLastGlobalSeq());
        g.writeNumberField("first_stream_version", a.getFirstStreamVersion());
        g.writeNumberField("last_stream_version", a.getLastStreamVersion());
        g.writeNumberField("count", a.getCount());
        g.writeBooleanField("duplicate", a.getDuplicate());
    }

    private static String eventIdField(AppendRequest part, String eventId) {
        for (int i = 0; i < part.getEventsCount(); i++) {
            if (part.getEvents(i).getEventId().equalsIgnoreCase(eventId)) {
                return "events[" + i + "].event_id";
            }
        }
        return "event_id"; // given in another spelling (32 hex digits): the message names it
    }

    /** An append's or a part's expected version as the ledger's long; {@code prefix} names the part in errors. */
    static long expectedVersion(String prefix, AppendRequest part) {
        return switch (part.getExpectedCase()) {
            case EXPECTED_VERSION -> version(prefix, part.getExpectedVersion());
            case EXPECT -> expect(prefix, part.getExpect(), part.getExpectValue());
            default -> ExpectedVersion.ANY;
        };
    }

    private static long expectedVersion(String prefix, Condition condition) {
        return switch (condition.getExpectedCase()) {
            case EXPECTED_VERSION -> version(prefix, condition.getExpectedVersion());
            case EXPECT -> expect(prefix, condition.getExpect(), condition.getExpectValue());
            default -> ExpectedVersion.ANY;
        };
    }

    private static long version(String prefix, long version) {
        return GrpcApi.unsigned(prefix + "expected_version", version);
    }

    private static long expect(String prefix, Expect expect, int value) {
        return switch (expect) {
            case ANY -> ExpectedVersion.ANY;
            case NO_STREAM -> ExpectedVersion.NO_STREAM;
            case STREAM_EXISTS -> ExpectedVersion.STREAM_EXISTS;
            default -> throw ApiError.invalid(prefix + "expect", "is not ANY, NO_STREAM or STREAM_EXISTS: value " + value);
        };
    }
}
