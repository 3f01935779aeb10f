package dev.indelible.projections;

import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.Ledger;
import dev.indelible.projections.proto.MemberJoined;
import dev.indelible.projections.proto.PrayerMarked;
import dev.indelible.projections.proto.PrayerSubmitted;

import java.util.UUID;

/**
 * The prayer community's writes: members join by invitation, submit prayers and mark them prayed.
 * Every reference is checked before the append, so no record can point at a member or prayer that
 * does not exist ("prayed by None").
 *
 * <p>Design note: the checks read one stream and append to another, yet cannot race. Members and
 * prayers are never removed, so once a reference exists it exists for good; a username is claimed
 * with {@code NO_STREAM} and a mark requires its prayer's stream with {@code STREAM_EXISTS}, both
 * checked by the ledger under its write lock. Usernames are normalised by {@link Names} ("Max" and
 * "max" are one member).
 *
 * <p>Thread-safe.
 */
public final class Community {

    private final Ledger ledger;

    public Community(Ledger ledger) {
        this.ledger = ledger;
    }

    public static String memberStream(String normalizedUsername) {
        return "member-" + normalizedUsername;
    }

    public static String prayerStream(String prayerId) {
        return "prayer-" + prayerId;
    }

    /** Adds a member; {@code invitedBy} empty or {@code null} makes a founding member. */
    public Result join(String username, String invitedBy) {
        String name = Names.username("username", username);
        String inviter = invitedBy == null || invitedBy.isBlank() ? "" : Names.username("invited_by", invitedBy);
        if (!inviter.isEmpty() && !isMember(inviter)) {
            return new UnknownMember(inviter);
        }
        MemberJoined joined = MemberJoined.newBuilder().setUsername(name).setInvitedBy(inviter).build();
        AppendResult result = ledger.append(memberStream(name), ExpectedVersion.NO_STREAM,
                DomainEvents.event(DomainEvents.MEMBER_JOINED, joined));
        return result instanceof AppendResult.Appended a ? new Done(name, a.firstGlobalSeq()) : new UsernameTaken(name);
    }

    /** Records a prayer by an existing member; the result's id names it. */
    public Result submitPrayer(String author, String text) {
        String name = Names.username("author", author);
        Require.text("text", text);
        if (!isMember(name)) {
            return new UnknownMember(name);
        }
        String prayerId = UUID.randomUUID().toString();
        PrayerSubmitted prayer = PrayerSubmitted.newBuilder().setPrayerId(prayerId).setAuthor(name).setText(text).build();
        AppendResult result = ledger.append(prayerStream(prayerId), ExpectedVersion.NO_STREAM,
                DomainEvents.event(DomainEvents.PRAYER_SUBMITTED, prayer));
        return new Done(prayerId, ((AppendResult.Appended) result).firstGlobalSeq());
    }

    /** Records that a member prayed for a prayer; both must exist. */
    public Result markPrayed(String prayerId, String username) {
        Require.text("prayer_id", prayerId);
        String name = Names.username("username", username);
        if (!isMember(name)) {
            return new UnknownMember(name);
        }
        PrayerMarked mark = PrayerMarked.newBuilder().setPrayerId(prayerId).setUsername(name).build();
        AppendResult result = ledger.append(prayerStream(prayerId), ExpectedVersion.STREAM_EXISTS,
                DomainEvents.event(DomainEvents.PRAYER_MARKED, mark));
        return result instanceof AppendResult.Appended a ? new Done(prayerId, a.firstGlobalSeq()) : new UnknownPrayer(prayerId);
    }

    private boolean isMember(String normalizedUsername) {
        return ledger.streamVersion(memberStream(normalizedUsername)) >= 0;
    }

    /** What a call did: {@link Done}, or why nothing was appended. */
    public sealed interface Result permits Done, UsernameTaken, UnknownMember, UnknownPrayer {
    }

    /** @param id the member's normalised username, or the prayer's id */
    public record Done(String id, long globalSeq) implements Result {
    }

    public record UsernameTaken(String username) implements Result {
    }

    /** The inviter, author or marking member is not a member; nothing was appended. */
    public record UnknownMember(String username) implements Result {
    }

    public record UnknownPrayer(String prayerId) implements Result {
    }
}
