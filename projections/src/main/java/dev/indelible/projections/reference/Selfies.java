package dev.indelible.projections.reference;

import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.Ledger;
import dev.indelible.projections.internal.ProtoTime;
import dev.indelible.projections.proto.SelfieSubmitted;

import java.time.Instant;

/**
 * What the selfie bot calls instead of rewriting {@code selfie_checks.json}: each submission is one
 * appended event, so concurrent submissions never lose one and a bad one is refused before
 * anything is written.
 *
 * <p>Thread-safe.
 */
public final class Selfies {

    private final Ledger ledger;

    public Selfies(Ledger ledger) {
        this.ledger = ledger;
    }

    public static String streamFor(long userId) {
        return "selfies-user-" + userId;
    }

    /**
     * Records a selfie. The event id derives from the user and the file, so resubmitting the same
     * file is a retry: answered with the original position, nothing written twice.
     */
    public SubmitResult submit(long userId, String mediaType, String fileId, Instant at) {
        Require.text("media_type", mediaType);
        Require.text("file_id", fileId);
        Require.present("submitted_at", at);
        SelfieSubmitted selfie = SelfieSubmitted.newBuilder().setUserId(userId).setMediaType(mediaType)
                .setFileId(fileId).setSubmittedAt(ProtoTime.timestamp(at)).build();
        AppendResult result = DomainRules.append(ledger,
                DomainEvents.event(DomainEvents.SELFIE_SUBMITTED, selfie, userId + "/" + fileId));
        if (result instanceof AppendResult.Appended appended) {
            return new Submitted(appended.firstGlobalSeq(), appended.duplicate());
        }
        return new Conflict(result instanceof AppendResult.EventIdConflict c ? c.reason() : result.toString());
    }

    /** What {@link #submit} did. */
    public sealed interface SubmitResult permits Submitted, Conflict {
    }

    /** @param duplicate true when this file was already submitted for this user: nothing was written */
    public record Submitted(long globalSeq, boolean duplicate) implements SubmitResult {
    }

    /** The same user and file were submitted before with other details; nothing was written. */
    public record Conflict(String reason) implements SubmitResult {
    }
}
