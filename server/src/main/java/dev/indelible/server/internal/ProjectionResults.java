package dev.indelible.server.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.indelible.projections.RebuildResult;
import dev.indelible.projections.RollbackResult;
import java.io.IOException;
import java.util.List;

/**
 * A rebuild's and a rollback's result as JSON, one shape wherever they are asked for: the CLI's
 * {@code replay --json} and {@code /admin/projections} (the console) answer the same fields.
 */
public final class ProjectionResults {
    private ProjectionResults() {
    }

    public static String rebuild(RebuildResult r) {
        return EventJson.object(g -> {
            g.writeStringField("projection", r.projection());
            g.writeStringField("previous_version", r.previousVersion());
            g.writeStringField("previous_digest", r.previousDigest());
            g.writeStringField("new_version", r.newVersion());
            g.writeStringField("new_digest", r.newDigest());
            g.writeNumberField("events", r.events());
            g.writeNumberField("applied", r.applied());
            g.writeNumberField("took_ms", r.took().toMillis());
            discarded(g, r.discardedUnfinished());
        });
    }

    public static String rollback(RollbackResult r) {
        return EventJson.object(g -> {
            g.writeStringField("projection", r.projection());
            g.writeStringField("from_version", r.fromVersion());
            g.writeStringField("to_version", r.toVersion());
            discarded(g, r.discardedUnfinished());
        });
    }

    /** Versions whose build never finished, deleted on the way. */
    private static void discarded(JsonGenerator g, List<String> versions) throws IOException {
        g.writeArrayFieldStart("discarded_unfinished");
        for (String v : versions) {
            g.writeString(v);
        }
        g.writeEndArray();
    }
}
