package dev.indelible.projections.reference;

import dev.indelible.ledger.AppendResult;
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
 * <p>Design note: every reference is a condition of the event's rule ({@link DomainRules}), checked
 * by the ledger under its write lock with the append, for every producer: a username is claimed
 * with {@code NO_STREAM}, an inviter, author or marking member must have a {@code member-} stream
 * and a mark its prayer's stream. Usernames are normalised by {@link Names} ("Max" and
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
        MemberJoined joined = MemberJoined.newBuilder().setUsername(name).setInvitedBy(inviter).build();
        AppendResult result = DomainRules.append(ledger, DomainEvents.event(DomainEvents.MEMBER_JOINED, joined));
        if (result instanceof AppendResult.Appended a) {
            return new Done(name, a.firstGlobalSeq());
        }
        return result instanceof AppendResult.RuleViolated ? new UnknownMember(inviter) : new UsernameTaken(name);
    }

    /** Records a prayer by an existing member; the result's id names it. */
    public Result submitPrayer(String author, String text) {
        String name = Names.username("author", author);
        Require.text("text", text);
        String prayerId = UUID.randomUUID().toString();
        PrayerSubmitted prayer = PrayerSubmitted.newBuilder().setPrayerId(prayerId).setAuthor(name).setText(text).build();
        AppendResult result = DomainRules.append(ledger, DomainEvents.event(DomainEvents.PRAYER_SUBMITTED, prayer));
        return result instanceof AppendResult.Appended a ? new Done(prayerId, a.firstGlobalSeq()) : new UnknownMember(name);
    }

    /** Records that a member prayed for a prayer; both must exist. */
    public Result markPrayed(String prayerId, String username) {
        Require.text("prayer_id", prayerId);
        String name = Names.username("username", username);
        PrayerMarked mark = PrayerMarked.newBuilder().setPrayerId(prayerId).setUsername(name).build();
        AppendResult result = DomainRules.append(ledger, DomainEvents.event(DomainEvents.PRAYER_MARKED, mark));
        if (result instanceof AppendResult.Appended a) {
            return new Done(prayerId, a.firstGlobalSeq());
        }
        return result instanceof AppendResult.RuleViolated ? new UnknownMember(name) : new UnknownPrayer(prayerId);
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
