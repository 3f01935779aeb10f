package dev.indelible.cli;

import dev.indelible.server.internal.EventInput;

import dev.indelible.server.internal.EventJson;

import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.TransactionResult;

/** What an append or a transaction printed: its positions, or the conflict (exit code 3). */
final class Acknowledgement {
    private Acknowledgement() {
    }

    /** The line for an appended event; a conflict throws {@link Main.ConflictException}. */
    static String of(EventInput input, AppendResult result, boolean json) {
        if (result instanceof AppendResult.WrongExpectedVersion wrong) {
            throw new Main.ConflictException("wrong expected version on stream " + wrong.stream() + ": expected "
                + ExpectedVersion.describe(wrong.expectedVersion()) + ", the stream is at "
                + ExpectedVersion.describe(wrong.actualVersion()) + "; nothing was appended");
        }
        if (result instanceof AppendResult.EventIdConflict conflict) {
            throw new Main.ConflictException("event id " + conflict.eventId() + " is already used (global_seq "
                + conflict.existingGlobalSeq() + "): " + conflict.reason() + "; nothing was appended");
        }
        if (result instanceof AppendResult.RuleViolated violated) {
            throw new Main.ConflictException(violated.message() + "; nothing was appended");
        }
        AppendResult.Appended a = (AppendResult.Appended) result;
        if (json) {
            return EventJson.object(g -> {
                g.writeNumberField("global_seq", a.firstGlobalSeq());
                g.writeStringField("stream", a.stream());
                g.writeNumberField("stream_version", a.firstStreamVersion());
                g.writeStringField("event_id", input.event().eventId().toString());
                if (a.duplicate()) {
                    g.writeBooleanField("duplicate", true);
                }
            });
        }
        return (a.duplicate() ? "already appended (a retry): " : "appended ") + input.event().type() + " to "
            + a.stream() + " at global_seq " + a.firstGlobalSeq() + ", stream_version " + a.firstStreamVersion();
    }

    /** The line for a committed transaction; a refusal throws {@link Main.ConflictException} naming its part or condition. */
    static String of(TransactionResult result, boolean json) {
        if (!(result instanceof TransactionResult.Committed c)) {
            throw new Main.ConflictException("transaction refused: " + result.message() + "; nothing was appended");
        }
        if (json) {
            return EventJson.object(g -> {
                g.writeNumberField("first_global_seq", c.firstGlobalSeq());
                g.writeNumberField("last_global_seq", c.lastGlobalSeq());
                if (c.duplicate()) {
                    g.writeBooleanField("duplicate", true);
                }
                g.writeArrayFieldStart("parts");
                for (AppendResult.Appended a : c.parts()) {
                    g.writeStartObject();
                    g.writeStringField("stream", a.stream());
                    g.writeNumberField("global_seq", a.firstGlobalSeq());
                    g.writeNumberField("stream_version", a.firstStreamVersion());
                    g.writeNumberField("count", a.count());
                    g.writeEndObject();
                }
                g.writeEndArray();
            });
        }
        StringBuilder line = new StringBuilder(c.duplicate() ? "already committed (a retry): " : "committed ")
            .append("transaction at global_seq ").append(c.firstGlobalSeq()).append(" to ").append(c.lastGlobalSeq());
        for (AppendResult.Appended a : c.parts()) {
            line.append("; ").append(a.count()).append(a.count() == 1 ? " event to " : " events to ").append(a.stream())
                .append(" from stream_version ").append(a.firstStreamVersion());
        }
        return line.toString();
    }
}
