package dev.indelible.projections.reference;

import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.Ledger;
import dev.indelible.projections.internal.ProtoTime;
import dev.indelible.projections.proto.MessagePosted;

import java.time.Instant;

/**
 * Records chat messages for the dashboards that used to read Redis indexes: one event per message
 * on {@code messages-<project>}; the indexes are the {@code messages} projection, rebuilt without
 * ever going empty.
 *
 * <p>Thread-safe.
 */
public final class Messages {

    private final Ledger ledger;

    public Messages(Ledger ledger) {
        this.ledger = ledger;
    }

    public static String streamFor(String project) {
        return "messages-" + project;
    }

    /** Records a message; its id is the idempotency key, so posting it again is answered as a duplicate. */
    public PostResult post(String messageId, String project, String channel, String user, Instant at) {
        MessagePosted message = MessagePosted.newBuilder()
                .setMessageId(Require.text("message_id", messageId))
                .setProject(Require.text("project", project))
                .setChannel(Require.text("channel", channel))
                .setUser(Require.text("user", user))
                .setPostedAt(ProtoTime.timestamp(Require.present("posted_at", at)))
                .build();
        AppendResult result = DomainRules.append(ledger, DomainEvents.event(DomainEvents.MESSAGE_POSTED, message, messageId));
        if (result instanceof AppendResult.Appended appended) {
            return new Posted(appended.firstGlobalSeq(), appended.duplicate());
        }
        return new Conflict(result instanceof AppendResult.EventIdConflict c ? c.reason() : result.toString());
    }

    /** What {@link #post} did. */
    public sealed interface PostResult permits Posted, Conflict {
    }

    /** @param duplicate true when this message id was already recorded: nothing was written */
    public record Posted(long globalSeq, boolean duplicate) implements PostResult {
    }

    /** The message id was used before for another message (or project); nothing was written. */
    public record Conflict(String reason) implements PostResult {
    }
}
