package dev.indelible.server.internal;

import dev.indelible.ledger.PersonalData;
import dev.indelible.projections.ProjectionEngine;
import dev.indelible.projections.reference.AccountsQueries;
import dev.indelible.projections.reference.MessagesQueries;
import dev.indelible.projections.reference.SelfiesQueries;
import dev.indelible.projections.reference.VideosQueries;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.ToLongFunction;

/**
 * What each reference projection counts (selfies, accounts, videos, messages): one stored number
 * each, so cheap to read as often as a page polls. For {@code indelible status} and the console;
 * public for the CLI only, not API. Stateless and thread-safe.
 */
public final class ProjectionCounts {
    private static final Map<String, ToLongFunction<ProjectionEngine>> COUNTS = Map.of(
        "selfies", e -> new SelfiesQueries(e).total(),
        "accounts", e -> new AccountsQueries(e, (PersonalData) null).count(),
        "videos", e -> new VideosQueries(e).count(),
        "messages", e -> new MessagesQueries(e).total());

    private ProjectionCounts() {
    }

    /** The count of {@code projection} in {@code engine}, or empty for a projection that keeps none. */
    public static OptionalLong of(ProjectionEngine engine, String projection) {
        ToLongFunction<ProjectionEngine> count = COUNTS.get(projection);
        return count == null ? OptionalLong.empty() : OptionalLong.of(count.applyAsLong(engine));
    }
}
