package dev.indelible.server.internal;

import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.RecordedEvent;
import dev.indelible.projections.ProjectionEngine;
import dev.indelible.server.ReferenceQueries;
import dev.indelible.server.Token;
import dev.indelible.server.Verb;
import java.util.List;
import java.util.Map;

/** The reads of both APIs, with their errors as {@link ApiError}s. Thread-safe. */
final class Reads {
    private final Ledger ledger;
    private final ProjectionEngine engine;

    Reads(Ledger ledger, ProjectionEngine engine) {
        this.ledger = ledger;
        this.engine = engine;
    }

    /** A stream's events from {@code fromVersion}; 404 when it has none. */
    List<RecordedEvent> stream(String stream, long fromVersion, int limit) {
        if (ledger.streamVersion(stream) == ExpectedVersion.NO_STREAM) {
            throw ApiError.notFound("stream", "stream " + stream + " has no events");
        }
        return ledger.readStream(stream, fromVersion, limit);
    }

    /** The events of streams {@code token} may read; the others are left out. */
    static List<RecordedEvent> readable(Token token, List<RecordedEvent> events) {
        return events.stream().filter(e -> token.allows(Verb.READ, e.stream())).toList();
    }

    /**
     * A reference query's rows: 503 without projections, 404 for an unknown one, 403 unless the
     * token may read every stream the answer is built from, 400 naming a bad parameter.
     */
    List<ReferenceQueries.Row> query(Token token, String projection, Map<String, String> params) {
        if (engine == null) {
            throw new ApiError(503, "unavailable", null, "this server runs no projections");
        }
        if (!ReferenceQueries.NAMES.contains(projection)) {
            throw ApiError.notFound("projection", new ReferenceQueries.UnknownProjectionException(projection).getMessage());
        }
        List<String> known = ReferenceQueries.parameters(projection);
        for (String name : params.keySet()) {
            if (!known.contains(name)) {
                throw ApiError.invalid(name, "is not a parameter of the " + projection + " query (it takes "
                    + String.join(", ", known) + ")");
            }
        }
        List<String> streams = ReferenceQueries.streamsRead(projection, params);
        if (!streams.stream().allMatch(s -> token.allowsEvery(Verb.QUERY, s))) {
            throw new ApiError(403, "permission_denied", "projection", "token " + token.name() + " may not query "
                + projection + ": the answer shows streams " + streams + ", and the token's streams are " + token.streams());
        }
        try {
            return new ReferenceQueries(engine, projection, params).rows();
        } catch (IllegalArgumentException e) {
            String message = e.getMessage();
            throw ApiError.invalid(message.split("[ :]", 2)[0], message);
        }
    }
}
