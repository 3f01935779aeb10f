package dev.indelible.server.internal;

import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerPartitions;
import dev.indelible.ledger.PartitionPositions;
import dev.indelible.ledger.RecordedEvent;
import dev.indelible.projections.ProjectionEngine;
import dev.indelible.server.ReferenceQueries;
import dev.indelible.server.Token;
import dev.indelible.server.Verb;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The reads of both APIs, with their errors as {@link ApiError}s. Thread-safe. */
final class Reads {
    private final LedgerPartitions partitions;
    private final ProjectionEngine engine;
    private final EventFeed feed;

    Reads(LedgerPartitions partitions, ProjectionEngine engine, EventFeed feed) {
        this.partitions = partitions;
        this.engine = engine;
        this.feed = feed;
    }

    /**
     * A stream's events from {@code fromVersion}, up to {@code limit} or {@link EventFeed#PAGE_BYTES}
     * of payloads (one event more when it alone is larger); 404 when it has none. Read a few at a
     * time, so a page of large events is never read whole and then cut.
     */
    List<RecordedEvent> stream(String stream, long fromVersion, int limit) {
        Ledger ledger = partitions.ledgerOf(stream);
        if (ledger.streamVersion(stream) == ExpectedVersion.NO_STREAM) {
            throw ApiError.notFound("stream", "stream " + stream + " has no events");
        }
        List<RecordedEvent> page = new ArrayList<>();
        long bytes = 0;
        int batch = 4;
        while (page.size() < limit && bytes < EventFeed.PAGE_BYTES) {
            List<RecordedEvent> read = ledger.readStream(stream, fromVersion + page.size(), Math.min(batch, limit - page.size()));
            for (RecordedEvent e : read) {
                page.add(e);
                bytes += e.payload().length;
                if (bytes >= EventFeed.PAGE_BYTES) {
                    break;
                }
            }
            if (read.size() < batch) {
                break; // the end of the stream
            }
            long average = Math.max(1, bytes / page.size());
            batch = (int) Math.max(1, Math.min(256, (EventFeed.PAGE_BYTES - bytes) / average));
        }
        return page;
    }

    /** Events from {@code from} of the streams {@code token} may read, within a page's byte budget. */
    List<EventFeed.Item> all(Token token, PartitionPositions from, int limit) {
        try {
            return feed.read(from, limit, EventFeed.Filter.readable(token), 0, () -> false).events();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiError(503, "unavailable", null, "the server is stopping; read again from " + from);
        }
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
            return new ReferenceQueries(engine, partitions.auditLedger().personalData(), projection, params).rows();
        } catch (IllegalArgumentException e) {
            String message = e.getMessage();
            throw ApiError.invalid(message.split("[ :]", 2)[0], message);
        }
    }
}
