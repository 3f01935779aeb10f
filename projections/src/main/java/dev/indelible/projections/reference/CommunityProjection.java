package dev.indelible.projections.reference;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.indelible.ledger.RecordedEvent;
import dev.indelible.projections.Keys;
import dev.indelible.projections.Projection;
import dev.indelible.projections.ProjectionBatch;
import dev.indelible.projections.ProjectionException;
import dev.indelible.projections.proto.MemberJoined;
import dev.indelible.projections.proto.MemberState;
import dev.indelible.projections.proto.PrayerMarked;
import dev.indelible.projections.proto.PrayerState;
import dev.indelible.projections.proto.PrayerSubmitted;

import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * The {@code community} reference projection: members and their invite tree, prayers by author
 * and the members who marked them. Queries are in {@link CommunityQueries}.
 *
 * <pre>{@code
 * 'm' username                 -> MemberState (depth 0 for a founder)
 * 'i' inviter username         -> (empty): the invitees of a member
 * 'p' prayer_id                -> PrayerState
 * 'a' author global_seq        -> prayer_id: prayers by author, oldest first
 * 'k' prayer_id username       -> global_seq of the first mark
 * 'o' global_seq               -> orphan text: a reference to a member or prayer that did not exist
 * }</pre>
 *
 * <p>The client checks references before appending, so 'o' stays empty; an event appended around
 * the client is still applied as far as it can be, and its orphan is reported, never hidden.
 * Not thread-safe (the engine applies on one thread); holds no state of its own.
 */
public final class CommunityProjection implements Projection {

    public static final String NAME = "community";

    private static final byte[] EMPTY = new byte[0];

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int version() {
        return 1;
    }

    @Override
    public Set<String> eventTypes() {
        return Set.of(DomainEvents.MEMBER_JOINED, DomainEvents.PRAYER_SUBMITTED, DomainEvents.PRAYER_MARKED);
    }

    @Override
    public void apply(RecordedEvent event, ProjectionBatch batch) {
        switch (event.type()) {
            case DomainEvents.MEMBER_JOINED -> join(event, batch);
            case DomainEvents.PRAYER_SUBMITTED -> submit(event, batch);
            default -> mark(event, batch);
        }
    }

    private static void join(RecordedEvent event, ProjectionBatch batch) {
        MemberJoined j = DomainEvents.parse(event, MemberJoined.class);
        if (batch.get(member(j.getUsername())) != null) {
            orphan(batch, event, "member.joined " + j.getUsername() + ": already a member");
            return;
        }
        int depth = 0;
        if (!j.getInvitedBy().isEmpty()) {
            byte[] inviter = batch.get(member(j.getInvitedBy()));
            if (inviter == null) {
                orphan(batch, event, "member.joined " + j.getUsername() + ": inviter " + j.getInvitedBy() + " is not a member");
            } else {
                depth = parseMember(inviter).getDepth() + 1;
            }
            batch.put(Keys.of('i').string(j.getInvitedBy()).string(j.getUsername()).build(), EMPTY);
        }
        MemberState state = MemberState.newBuilder().setUsername(j.getUsername()).setInvitedBy(j.getInvitedBy())
                .setJoinedSeq(event.globalSeq()).setDepth(depth).build();
        batch.put(member(j.getUsername()), state.toByteArray());
    }

    private static void submit(RecordedEvent event, ProjectionBatch batch) {
        PrayerSubmitted p = DomainEvents.parse(event, PrayerSubmitted.class);
        if (batch.get(member(p.getAuthor())) == null) {
            orphan(batch, event, "prayer.submitted " + p.getPrayerId() + ": author " + p.getAuthor() + " is not a member");
        }
        PrayerState state = PrayerState.newBuilder().setPrayerId(p.getPrayerId()).setAuthor(p.getAuthor())
                .setText(p.getText()).setSubmittedSeq(event.globalSeq()).build();
        batch.put(prayer(p.getPrayerId()), state.toByteArray());
        batch.put(Keys.of('a').string(p.getAuthor()).i64(event.globalSeq()).build(),
                p.getPrayerId().getBytes(StandardCharsets.UTF_8));
    }

    private static void mark(RecordedEvent event, ProjectionBatch batch) {
        PrayerMarked m = DomainEvents.parse(event, PrayerMarked.class);
        if (batch.get(prayer(m.getPrayerId())) == null) {
            orphan(batch, event, "prayer.marked " + m.getPrayerId() + ": no such prayer");
        }
        if (batch.get(member(m.getUsername())) == null) {
            orphan(batch, event, "prayer.marked " + m.getPrayerId() + ": " + m.getUsername() + " is not a member");
        }
        byte[] key = Keys.of('k').string(m.getPrayerId()).string(m.getUsername()).build();
        if (batch.get(key) == null) {
            batch.put(key, Keys.encodeLong(event.globalSeq()));
        }
    }

    private static void orphan(ProjectionBatch batch, RecordedEvent event, String text) {
        batch.put(Keys.of('o').i64(event.globalSeq()).build(), text.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] member(String username) {
        return Keys.of('m').string(username).build();
    }

    static byte[] prayer(String prayerId) {
        return Keys.of('p').string(prayerId).build();
    }

    static MemberState parseMember(byte[] bytes) {
        try {
            return MemberState.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new ProjectionException("community holds an unreadable member", e);
        }
    }

    static PrayerState parsePrayer(byte[] bytes) {
        try {
            return PrayerState.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new ProjectionException("community holds an unreadable prayer", e);
        }
    }
}
