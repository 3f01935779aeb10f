package dev.indelible.projections.reference;

import dev.indelible.projections.Keys;
import dev.indelible.projections.ProjectionEngine;
import dev.indelible.projections.ProjectionState;
import dev.indelible.projections.proto.MemberState;
import dev.indelible.projections.proto.PrayerState;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Typed queries of the {@code community} projection; each runs on one consistent snapshot.
 *
 * <p>Thread-safe.
 */
public final class CommunityQueries {

    private final ProjectionEngine engine;

    public CommunityQueries(ProjectionEngine engine) {
        this.engine = engine;
    }

    /** A member by username (normalised first). */
    public Optional<Member> member(String username) {
        String name = Names.normalizeUsernameOrNull(username);
        return name == null ? Optional.empty() : engine.read(CommunityProjection.NAME, s -> member(s, name));
    }

    /** The members a member invited, by username. */
    public List<String> invitees(String username) {
        String name = Names.normalizeUsernameOrNull(username);
        return name == null ? List.of() : engine.read(CommunityProjection.NAME, s -> {
            List<String> names = new ArrayList<>();
            s.scan(Keys.of('i').string(name).build(), (key, value) -> names.add((String) Keys.parse(key, "ss").get(1)));
            return names;
        });
    }

    /** The member, their inviter, and so on up to a founding member. */
    public List<Member> inviteChain(String username) {
        String name = Names.normalizeUsernameOrNull(username);
        return name == null ? List.of() : engine.read(CommunityProjection.NAME, s -> {
            List<Member> chain = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            Optional<Member> next = member(s, name);
            // An inviter joined before its invitees, so there are no cycles; orphans could make one, so stop on a repeat.
            while (next.isPresent() && seen.add(next.get().username())) {
                chain.add(next.get());
                next = next.get().invitedBy().isEmpty() ? Optional.empty() : member(s, next.get().invitedBy());
            }
            return chain;
        });
    }

    /** A member's prayers, oldest first. */
    public List<Prayer> prayersBy(String author) {
        String name = Names.normalizeUsernameOrNull(author);
        return name == null ? List.of() : engine.read(CommunityProjection.NAME, s -> {
            List<Prayer> prayers = new ArrayList<>();
            s.scan(Keys.of('a').string(name).build(), (key, value) -> {
                byte[] prayer = s.get(CommunityProjection.prayer(new String(value, StandardCharsets.UTF_8)));
                PrayerState p = CommunityProjection.parsePrayer(prayer);
                return prayers.add(new Prayer(p.getPrayerId(), p.getAuthor(), p.getText(), p.getSubmittedSeq()));
            });
            return prayers;
        });
    }

    /** Who marked a prayer prayed, by username. */
    public List<Mark> marks(String prayerId) {
        return engine.read(CommunityProjection.NAME, s -> {
            List<Mark> marks = new ArrayList<>();
            s.scan(Keys.of('k').string(prayerId).build(), (key, value) ->
                    marks.add(new Mark(prayerId, (String) Keys.parse(key, "ss").get(1), Keys.decodeLong(value))));
            return marks;
        });
    }

    /** Every reference to a member or prayer that did not exist when it was made; empty when healthy. */
    public List<String> integrityReport() {
        return engine.read(CommunityProjection.NAME, s -> {
            List<String> orphans = new ArrayList<>();
            s.scan(Keys.of('o').build(), (key, value) -> orphans.add(new String(value, StandardCharsets.UTF_8)));
            return orphans;
        });
    }

    private static Optional<Member> member(ProjectionState state, String username) {
        byte[] bytes = state.get(CommunityProjection.member(username));
        if (bytes == null) {
            return Optional.empty();
        }
        MemberState m = CommunityProjection.parseMember(bytes);
        return Optional.of(new Member(m.getUsername(), m.getInvitedBy(), m.getDepth(), m.getJoinedSeq()));
    }

    public record Member(String username, String invitedBy, int depth, long joinedSeq) {
    }

    public record Prayer(String prayerId, String author, String text, long submittedSeq) {
    }

    public record Mark(String prayerId, String username, long globalSeq) {
    }
}
