package dev.indelible.cli;

import dev.indelible.server.internal.EventInput;

import dev.indelible.server.internal.EventJson;

import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.ExpectedVersion;

/** What an append printed: its position, or the conflict (exit code 3). */
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
}
