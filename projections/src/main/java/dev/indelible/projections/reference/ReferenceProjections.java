package dev.indelible.projections.reference;

import dev.indelible.projections.Projection;

import java.util.List;

/**
 * The five reference projections, one per incident. They use the same {@link Projection}
 * interface as any user's projection; nothing about them is special to the engine.
 *
 * <p>Stateless and thread-safe.
 */
public final class ReferenceProjections {
    private ReferenceProjections() {
    }

    /** New instances of selfies, accounts, community, videos and messages, in that order. */
    public static List<Projection> all() {
        return List.of(new SelfiesProjection(), new AccountsProjection(), new CommunityProjection(),
                new VideosProjection(), new MessagesProjection());
    }
}
