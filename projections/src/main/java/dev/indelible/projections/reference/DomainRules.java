package dev.indelible.projections.reference;

import static dev.indelible.ledger.ExpectedVersion.NO_STREAM;
import static dev.indelible.ledger.ExpectedVersion.STREAM_EXISTS;

import com.google.protobuf.Message;
import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.EventRule;
import dev.indelible.ledger.EventRule.Requirement;
import dev.indelible.ledger.InvalidEventException;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.projections.proto.AccountClosed;
import dev.indelible.projections.proto.AccountEmailChanged;
import dev.indelible.projections.proto.AccountRegistered;
import dev.indelible.projections.proto.MemberJoined;
import dev.indelible.projections.proto.MessagePosted;
import dev.indelible.projections.proto.PrayerMarked;
import dev.indelible.projections.proto.PrayerSubmitted;
import dev.indelible.projections.proto.SelfieSubmitted;
import dev.indelible.projections.proto.VideoProcessed;
import dev.indelible.projections.proto.VideoRemoved;

import java.util.Map;
import java.util.function.Function;

/**
 * The rules of the reference domain types, written once: the stream each event goes to, the
 * version it needs there, and the streams that must exist. {@link DomainEvents#register} registers
 * them with the validators, so the ledger enforces them for every producer; the Java clients ask
 * {@link #requirement} for the stream and version instead of carrying their own copy.
 *
 * <pre>
 * selfie.submitted       selfies-user-&lt;user_id&gt;
 * account.registered     email-&lt;email&gt;            NO_STREAM: an address has one account
 * account.email_changed  email-&lt;email&gt;            NO_STREAM; account-&lt;account_id&gt; NO_STREAM (not closed)
 * account.closed         account-&lt;account_id&gt;     NO_STREAM: an account closes once
 * member.joined          member-&lt;username&gt;        NO_STREAM; member-&lt;invited_by&gt; exists unless invited_by is empty
 * prayer.submitted       prayer-&lt;prayer_id&gt;       NO_STREAM; member-&lt;author&gt; exists
 * prayer.marked          prayer-&lt;prayer_id&gt;       exists; member-&lt;username&gt; exists
 * video.processed        video-&lt;video_id&gt;
 * video.removed          video-&lt;video_id&gt;         exists
 * message.posted         messages-&lt;project&gt;
 * </pre>
 *
 * <p>Design note: an address is never released, not by a change and not by closing, so a closed
 * account's address stays reserved: the incident was duplicate accounts, and a released address
 * would let a stranger take over an old account's identity.
 *
 * <p>Stateless and thread-safe.
 */
public final class DomainRules {

    private static final Map<String, Function<Message, Requirement>> RULES = Map.of(
            DomainEvents.SELFIE_SUBMITTED, m -> Requirement.stream(Selfies.streamFor(((SelfieSubmitted) m).getUserId()), "user_id"),
            DomainEvents.ACCOUNT_REGISTERED, m -> Requirement.stream(Accounts.emailStream(((AccountRegistered) m).getEmail()),
                    "email").expect(NO_STREAM, "an address has one account"),
            DomainEvents.ACCOUNT_EMAIL_CHANGED, m -> emailChanged((AccountEmailChanged) m),
            DomainEvents.ACCOUNT_CLOSED, m -> Requirement.stream(Accounts.accountStream(((AccountClosed) m).getAccountId()),
                    "account_id").expect(NO_STREAM, "an account closes once"),
            DomainEvents.MEMBER_JOINED, m -> joined((MemberJoined) m),
            DomainEvents.PRAYER_SUBMITTED, m -> prayer((PrayerSubmitted) m),
            DomainEvents.PRAYER_MARKED, m -> marked((PrayerMarked) m),
            DomainEvents.VIDEO_PROCESSED, m -> Requirement.stream(Videos.streamFor(((VideoProcessed) m).getVideoId()), "video_id"),
            DomainEvents.VIDEO_REMOVED, m -> Requirement.stream(Videos.streamFor(((VideoRemoved) m).getVideoId()), "video_id")
                    .expect(STREAM_EXISTS, "only a processed video is removed"),
            DomainEvents.MESSAGE_POSTED, m -> Requirement.stream(Messages.streamFor(((MessagePosted) m).getProject()), "project"));

    private DomainRules() {
    }

    /** Registers the rule of every domain type; returns the builder. */
    static LedgerConfig.Builder register(LedgerConfig.Builder builder) {
        RULES.keySet().forEach(type -> builder.rule(type, DomainRules::requirement));
        return builder;
    }

    /** What the ledger requires of an append of this domain event: its stream, version and conditions. */
    public static Requirement requirement(EventData event) {
        Function<Message, Requirement> rule = RULES.get(event.type());
        if (rule == null) {
            throw new InvalidEventException("type", "has no domain rule: " + event.type());
        }
        return rule.apply(DomainEvents.parse(event.type(), event.payload()));
    }

    /**
     * Appends a domain event where its rule puts it, at the version the rule requires there: how
     * the Java clients append, so a taken target is a {@code WrongExpectedVersion} and a failed
     * condition a {@code RuleViolated}.
     */
    static AppendResult append(Ledger ledger, EventData event) {
        Requirement requirement = requirement(event);
        return ledger.append(requirement.stream(), requirement.expectedVersion(), event);
    }

    /** The rules as an {@link EventRule}, e.g. to audit a journal written before them. */
    public static EventRule rule() {
        return DomainRules::requirement;
    }


    private static Requirement emailChanged(AccountEmailChanged c) {
        return Requirement.stream(Accounts.emailStream(c.getEmail()), "email").expect(NO_STREAM, "an address has one account")
                .require(Accounts.accountStream(c.getAccountId()), "account_id", NO_STREAM, "a closed account keeps its address");
    }

    private static Requirement joined(MemberJoined j) {
        Requirement joined = Requirement.stream(Community.memberStream(j.getUsername()), "username")
                .expect(NO_STREAM, "a username names one member");
        return j.getInvitedBy().isEmpty() ? joined
                : joined.require(Community.memberStream(j.getInvitedBy()), "invited_by", STREAM_EXISTS, "the inviter is a member");
    }

    private static Requirement prayer(PrayerSubmitted p) {
        return Requirement.stream(Community.prayerStream(p.getPrayerId()), "prayer_id").expect(NO_STREAM, "a prayer id names one prayer")
                .require(Community.memberStream(p.getAuthor()), "author", STREAM_EXISTS, "the author is a member");
    }

    private static Requirement marked(PrayerMarked p) {
        return Requirement.stream(Community.prayerStream(p.getPrayerId()), "prayer_id").expect(STREAM_EXISTS, "the prayer exists")
                .require(Community.memberStream(p.getUsername()), "username", STREAM_EXISTS, "the member exists");
    }
}
