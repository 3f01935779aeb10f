package dev.indelible.server.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerPartitions;
import dev.indelible.ledger.PartitionPositions;
import dev.indelible.ledger.RecordedEvent;
import dev.indelible.projections.ProjectionEngine;
import dev.indelible.projections.ProjectionStatus;
import dev.indelible.server.Token;
import dev.indelible.server.Tokens;
import dev.indelible.server.Verb;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Supplier;

/**
 * What the console's pages show, as JSON: the same reads, filters and token machinery as the APIs
 * (events through {@link EventFeed}, a stream through {@link Reads}, tokens through
 * {@link TokenAudit}), so a page sees what the signed-in token may see and every change is an
 * {@code ops.*} event naming that token. Thread-safe.
 */
final class ConsoleViews implements AutoCloseable {
    private final LedgerPartitions partitions;
    /** Partition 0's: the audit trail's, where tokens are recorded. */
    private final Ledger ledger;
    private final ProjectionEngine engine;
    private final Tokens tokens;
    private final EventFeed feed;
    private final Reads reads;
    private final int maxReadLimit;
    private final ConsoleRate rate;
    private final ConsoleWarnings warnings;

    ConsoleViews(LedgerPartitions partitions, ProjectionEngine engine, Tokens tokens, EventFeed feed, Reads reads,
                 int maxReadLimit, ServerMetrics metrics, Clock clock) {
        this.partitions = partitions;
        this.ledger = partitions.auditLedger();
        this.engine = engine;
        this.tokens = tokens;
        this.feed = feed;
        this.reads = reads;
        this.maxReadLimit = maxReadLimit;
        this.rate = new ConsoleRate(partitions, metrics);
        this.warnings = new ConsoleWarnings(dataDirectory(), clock);
    }

    String session(ConsoleSessions.Session session) {
        return EventJson.object(g -> {
            g.writeStringField("name", session.tokenName());
            g.writeStringField("csrf", session.csrf());
            g.writeStringField("expires_at", session.expiresAt().toString());
        });
    }

    /** Head, durability, readiness, each projection, the warnings, and events, syncs and appends by result per second. */
    String overview() {
        List<ProjectionStatus> projections = engine == null ? List.of() : engine.status();
        Map<String, Long> counts = new LinkedHashMap<>();
        for (ProjectionStatus p : projections) {
            Long count = count(p);
            if (count != null) {
                counts.put(p.name(), count);
            }
        }
        List<String> warnings = this.warnings.warnings(projections, counts, engine != null);
        ConsoleRate.Rates rates = rate.perSecond();
        return EventJson.object(g -> {
            g.writeNumberField("head", partitions.events()); // over several partitions: the events in all
            g.writeNumberField("partitions", partitions.count());
            g.writeStringField("durability", ledger.config().durability().name());
            g.writeBooleanField("ready", Readiness.projectionsReady(engine));
            g.writeArrayFieldStart("projections");
            for (ProjectionStatus p : projections) {
                writeProjection(g, p, counts.get(p.name()));
            }
            g.writeEndArray();
            g.writeArrayFieldStart("warnings");
            for (String w : warnings) {
                g.writeString(w);
            }
            g.writeEndArray();
            g.writeFieldName("events_per_second");
            g.writeArray(rates.events(), 0, rates.events().length);
            g.writeFieldName("syncs_per_second");
            g.writeArray(rates.syncs(), 0, rates.syncs().length);
            g.writeObjectFieldStart("appends_per_second");
            g.writeFieldName("ok");
            g.writeArray(rates.appendsOk(), 0, rates.appendsOk().length);
            g.writeFieldName("duplicate");
            g.writeArray(rates.appendsDuplicate(), 0, rates.appendsDuplicate().length);
            g.writeFieldName("refused");
            g.writeArray(rates.appendsRefused(), 0, rates.appendsRefused().length);
            g.writeEndObject();
        });
    }

    /** {@code <data>/server/tokens.json}'s data directory: where the journal and projections live. */
    private Path dataDirectory() {
        return tokens.file().toAbsolutePath().getParent().getParent();
    }

    /** The projection's count, or null when it keeps none or cannot be read now (failed, rebuilding). */
    private Long count(ProjectionStatus p) {
        if (p.state() == ProjectionStatus.State.FAILED) {
            return null;
        }
        try {
            OptionalLong count = ProjectionCounts.of(engine, p.name());
            return count.isPresent() ? count.getAsLong() : null;
        } catch (RuntimeException unreadable) {
            return null;
        }
    }

    private static void writeProjection(JsonGenerator g, ProjectionStatus p, Long count) throws IOException {
        g.writeStartObject();
        g.writeStringField("name", p.name());
        g.writeStringField("state", p.state().name());
        g.writeStringField("live_version", p.liveVersion());
        g.writeNumberField("checkpoint", p.position());
        g.writeNumberField("lag", p.lag());
        g.writeNumberField("events_applied", p.eventsApplied());
        if (count != null) {
            g.writeNumberField("count", count);
        }
        g.writeEndObject();
    }

    /**
     * A page of events from {@code from} (default: the last {@code limit} before the head) that
     * match the filters, as {@code GET /events} reads them: a bounded scan, never the journal whole.
     */
    String events(Request r, Token token) {
        int limit = r.limit(maxReadLimit);
        PartitionPositions head = partitions.head();
        PartitionPositions from = FeedPositions.parse("from", r.query.get("from"), head.partitions(), before(head, limit));
        EventFeed.Page page;
        try {
            page = feed.read(from, limit, EventFeed.Filter.of(token, r.query.get("stream_prefix"), r.query.get("type"),
                ledger.config().maxStreamBytes()), 0, () -> false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiError.unavailable("the server is stopping");
        }
        return "{\"from\":" + FeedPositions.json(from) + ",\"next\":" + FeedPositions.json(page.next()) + ",\"head\":"
            + FeedPositions.json(head) + ",\"events\":" + array(page.recorded()) + "}";
    }

    /** {@code limit} events before {@code head} in each partition (or its start). */
    private static PartitionPositions before(PartitionPositions head, int limit) {
        long[] from = new long[head.partitions()];
        for (int p = 0; p < from.length; p++) {
            from[p] = Math.max(0, head.next(p) - limit);
        }
        return PartitionPositions.of(from);
    }

    /** A stream's history from {@code from_version}, through its index. */
    String stream(Request r, String stream) {
        long from = r.longParam("from_version", 0);
        List<RecordedEvent> events = reads.stream(stream, from, r.limit(maxReadLimit));
        long next = events.isEmpty() ? from : events.get(events.size() - 1).streamVersion() + 1;
        return EventJson.object(g -> {
            g.writeStringField("stream", stream);
            g.writeNumberField("next_version", next);
            g.writeFieldName("events");
            g.writeRawValue(array(events));
        });
    }

    private String array(List<RecordedEvent> events) {
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < events.size(); i++) {
            out.append(i == 0 ? "" : ",").append(EventJson.line(events.get(i), ledger.personalData()));
        }
        return out.append(']').toString();
    }

    String tokens() {
        List<Token> all = tokens.list();
        return EventJson.object(g -> {
            g.writeArrayFieldStart("tokens");
            for (Token t : all) {
                writeToken(g, t);
            }
            g.writeEndArray();
        });
    }

    private static void writeToken(JsonGenerator g, Token t) throws IOException {
        g.writeStartObject();
        g.writeStringField("name", t.name());
        g.writeStringField("id", t.id());
        g.writeArrayFieldStart("streams");
        for (String s : t.streams()) {
            g.writeString(s);
        }
        g.writeEndArray();
        g.writeArrayFieldStart("verbs");
        for (Verb v : t.verbs().stream().sorted().toList()) {
            g.writeString(v.text());
        }
        g.writeEndArray();
        g.writeStringField("created_at", t.createdAt().toString());
        g.writeStringField("revoked_at", t.revokedAt() == null ? null : t.revokedAt().toString());
        g.writeEndObject();
    }

    /** {@code {"name", "streams": [...], "verbs": [...]}}: the new token, its secret shown this once. */
    String createToken(JsonNode body, String by) {
        String name = text(body, "name");
        List<String> streams = texts(body, "streams");
        List<String> verbNames = texts(body, "verbs");
        Tokens.Created created = invalidAsError(() -> {
            Set<Verb> verbs = EnumSet.noneOf(Verb.class);
            verbNames.forEach(v -> verbs.add(Verb.parse(v)));
            return TokenAudit.create(ledger, tokens, name, streams, verbs, audit(by));
        });
        return EventJson.object(g -> {
            g.writeStringField("secret", created.secret());
            g.writeFieldName("token");
            writeToken(g, created.token());
        });
    }

    String revokeToken(String name, String by) {
        int revoked = invalidAsError(() -> TokenAudit.revoke(ledger, tokens, name, audit(by)));
        return "{\"revoked\":" + revoked + "}";
    }

    /** The figures an {@code ops.*} event of the console carries: the signed-in token's name. */
    static Map<String, String> audit(String by) {
        return Map.of("by_token", by, "via", "console");
    }

    private static String text(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || !node.isTextual()) {
            throw ApiError.invalid(field, "must be a string");
        }
        return node.asText();
    }

    private static List<String> texts(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || !node.isArray()) {
            throw ApiError.invalid(field, "must be an array of strings");
        }
        List<String> values = new ArrayList<>();
        for (JsonNode n : node) {
            if (!n.isTextual()) {
                throw ApiError.invalid(field, "must be an array of strings");
            }
            values.add(n.asText().strip());
        }
        return values;
    }

    /** A token's {@code IllegalArgumentException} ({@code "field: reason"}) as a 400 naming the field. */
    private static <T> T invalidAsError(Supplier<T> change) {
        try {
            return change.get();
        } catch (IllegalArgumentException e) {
            String message = e.getMessage();
            int colon = message.indexOf(':');
            throw ApiError.invalid(colon > 0 ? message.substring(0, colon) : "body", message);
        } catch (UncheckedIOException e) {
            throw ApiError.unavailable(e.getMessage());
        }
    }

    @Override
    public void close() {
        rate.close();
    }
}
