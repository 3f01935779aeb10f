package dev.indelible.server.internal;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.indelible.ledger.InvalidEventException;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerPartitions;
import dev.indelible.ledger.PartitionPositions;
import dev.indelible.ledger.RecordedEvent;
import dev.indelible.projections.ProjectionEngine;
import dev.indelible.projections.ProjectionStatus;
import dev.indelible.server.ReferenceQueries;
import dev.indelible.server.ServerConfig;
import dev.indelible.server.Token;
import dev.indelible.server.Verb;
import dev.indelible.server.api.AppendOutcome;
import dev.indelible.server.api.TransactionOutcome;
import dev.indelible.server.api.TransactionRequest;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * The HTTP/JSON API: routes, authentication, limits and the mapping of ledger results to status
 * codes. Appends go through {@link Ledger#appendAsync} so that concurrent requests share a sync;
 * the answer is sent only once the append is durable under the ledger's policy. Payloads are never
 * logged. Thread-safe.
 */
public final class HttpApi implements HttpHandler {

    private final LedgerPartitions partitions;
    private final ProjectionEngine engine;
    private final ServerConfig config;
    private final ServerMetrics metrics;
    private final Access access;
    private final AppendService appends;
    private final Reads reads;
    private final StreamedAppends streamed;
    private final EventFeed feed;
    private final ServerSentEvents sse;
    private final TokenSlots slots;
    private final AdminApi admin;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean draining;

    HttpApi(LedgerPartitions partitions, ProjectionEngine engine, ServerConfig config, ServerMetrics metrics, Access access, AppendService appends,
            Reads reads, EventFeed feed, AdminApi admin) {
        this.partitions = partitions;
        this.engine = engine;
        this.config = config;
        this.metrics = metrics;
        this.access = access;
        this.appends = appends;
        this.reads = reads;
        this.streamed = new StreamedAppends(config.maxRequestBytes(), appends);
        this.feed = feed;
        this.sse = new ServerSentEvents(feed, access, config.idleTimeout().toMillis());
        this.slots = new TokenSlots(Math.max(1, config.threads() / 2));
        this.admin = admin;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        long started = System.nanoTime();
        String route = "unknown";
        int status;
        Request request = null;
        inFlight.incrementAndGet();
        try {
            if (draining) {
                throw new ApiError(503, "unavailable", null, "the server is stopping; retry elsewhere or later");
            }
            request = new Request(exchange);
            route = request.route();
            Answer answer = route(request);
            status = answer.status;
            if (answer.line != null) {
                sendEvents(exchange, answer);
            } else if (answer.body != null) {
                send(exchange, answer.status, answer.contentType, answer.body);
            }
        } catch (ApiError e) {
            status = e.status;
            closeAfterRefusal(exchange);
            send(exchange, e.status, "application/json; charset=utf-8", error(e));
        } catch (InvalidEventException e) {
            status = 400;
            closeAfterRefusal(exchange);
            send(exchange, 400, "application/json; charset=utf-8", error(ApiError.invalid(e.field(), e.reason())));
        } catch (RuntimeException e) {
            status = 500;
            closeAfterRefusal(exchange);
            send(exchange, 500, "application/json; charset=utf-8",
                error(new ApiError(500, "internal", null, "the server failed: " + e.getClass().getSimpleName())));
        } finally {
            exchange.close();
            if (request != null) {
                request.releaseSlot();
            }
            inFlight.decrementAndGet();
        }
        metrics.request(route, status, System.nanoTime() - started);
    }

    /**
     * Answers new requests 503 from now on and waits until those in flight are answered (their
     * appends durable), at most {@code timeoutNanos}; returns whether none is left.
     */
    public boolean drain(long timeoutNanos) throws InterruptedException {
        draining = true;
        streamed.stop(); // POST /append requests answer what they read and end, not wait for their clients
        long deadline = System.nanoTime() + timeoutNanos;
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        return inFlight.get() == 0;
    }

    private Answer route(Request r) {
        List<String> path = r.segments;
        if (path.size() == 2 && path.get(0).equals("streams")) {
            return switch (r.method) {
                case "POST" -> append(r.onlyParams("expected_version"), path.get(1));
                case "GET" -> readStream(r.onlyParams("from_version", "limit"), path.get(1));
                default -> throw methodNotAllowed(r);
            };
        }
        if (path.size() == 1 && path.get(0).equals("transactions")) {
            if (!r.method.equals("POST")) {
                throw methodNotAllowed(r);
            }
            return transaction(r.onlyParams());
        }
        if (!path.isEmpty() && path.get(0).equals("admin")) {
            String body = admin.answer(r, authorize(r, Verb.ADMIN, null));
            return body == null ? new Answer(200, null, null) : json(200, body);
        }
        if (path.size() == 1 && path.get(0).equals("append")) {
            if (!r.method.equals("POST")) {
                throw methodNotAllowed(r);
            }
            return appendStream(r.onlyParams());
        }
        if (!r.method.equals("GET")) {
            throw path.isEmpty() ? notFound(r) : methodNotAllowed(r);
        }
        if (path.size() == 1 && path.get(0).equals("events")) {
            return readAll(r.onlyParams("from", "limit", "wait", "stream_prefix", "type"), authorize(r, Verb.READ, null));
        }
        if (path.size() == 1 && path.get(0).equals("subscribe")) {
            return subscribe(r.onlyParams("from", "stream_prefix", "type"), authorize(r, Verb.READ, null));
        }
        if (path.size() == 2 && path.get(0).equals("health")) {
            r.onlyParams();
            return health(path.get(1));
        }
        if (path.size() == 2 && path.get(0).equals("projections")) {
            return json(200, query(r, authorize(r, Verb.QUERY, null), path.get(1)));
        }
        if (path.size() == 1 && path.get(0).equals("status")) {
            authorize(r.onlyParams(), Verb.STATUS, null);
            return json(200, status());
        }
        if (path.size() == 1 && path.get(0).equals("metrics")) {
            authorize(r.onlyParams(), Verb.STATUS, null);
            return new Answer(200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape());
        }
        throw notFound(r);
    }

    /** {@code POST /append}: answered as it streams, so the answer carries no body here. */
    private Answer appendStream(Request r) {
        Token token = authorize(r, Verb.APPEND, null);
        try {
            streamed.answer(r.exchange, r.address(), token);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiError(503, "unavailable", null, "the server is stopping; retry with the same event_id");
        }
        return new Answer(200, null, null);
    }

    private Answer append(Request r, String stream) {
        Token token = authorize(r, Verb.APPEND, stream);
        JsonAppend.Body body = JsonAppend.body(r.body(config.maxRequestBytes()), stream, r.query.get("expected_version"),
            appends::checkCount);
        AppendOutcome outcome = appends.append(r.address(), token, body.request(), body.names());
        if (outcome.hasFailure()) {
            throw ApiError.of(outcome.getFailure());
        }
        return json(200, EventJson.object(g -> WireTransactions.appendedFields(g, outcome.getAppended())));
    }

    /** {@code POST /transactions}: the token is checked per part and condition (see {@link AppendService}). */
    private Answer transaction(Request r) {
        Token token = authorize(r, Verb.APPEND, null);
        TransactionRequest request = JsonAppend.transaction(r.body(config.maxRequestBytes()));
        TransactionOutcome outcome = appends.append(r.address(), token, request);
        if (outcome.hasFailure()) {
            throw ApiError.of(outcome.getFailure());
        }
        return json(200, WireTransactions.json(outcome.getCommitted(), null));
    }

    private Answer readStream(Request r, String stream) {
        authorize(r, Verb.READ, stream);
        long from = r.longParam("from_version", 0);
        List<RecordedEvent> events = reads.stream(stream, from, r.limit(config.maxReadLimit()));
        long next = events.isEmpty() ? from : events.get(events.size() - 1).streamVersion() + 1;
        Ledger ledger = partitions.ledgerOf(stream);
        return events(200, "{\"stream\":" + quote(stream) + ",\"events\":", events.size(),
            i -> EventJson.line(events.get(i), ledger.personalData()), ",\"next_version\":" + next + "}");
    }

    /**
     * Events from a position that the token may read (and match {@code stream_prefix} and
     * {@code type}); with {@code wait}, a long poll: held until one matches or the wait ends.
     * {@code next} passes the events left out.
     */
    private Answer readAll(Request r, Token token) {
        PartitionPositions from = from(r);
        int limit = r.limit(config.maxReadLimit());
        EventFeed.Page page;
        try {
            // answered well within the idle timeout: an answer written as the connection expires would be cut
            long wait = Math.min(r.waitMillis(), config.idleTimeout().toMillis() * 3 / 4);
            page = feed.read(from, limit, filter(r, token), wait, () -> draining);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiError(503, "unavailable", null, "the server is stopping; read again from " + from);
        }
        List<EventFeed.Item> events = page.events();
        return events(200, "{\"events\":", events.size(), i -> EventJson.line(events.get(i), feed.personalData()),
            ",\"next\":" + FeedPositions.json(page.next()) + ",\"head\":" + FeedPositions.json(partitions.head()) + "}");
    }

    /**
     * {@code GET /subscribe}: server-sent events; {@code Last-Event-ID} resumes after the event it
     * names: its {@code global_seq}, or over several partitions the positions past it (its id).
     */
    private Answer subscribe(Request r, Token token) {
        // The exchange splits a header's value at commas, as a list of values: positions have them.
        List<String> values = r.exchange.getRequestHeaders().get("Last-Event-ID");
        String lastEventId = values == null ? null : String.join(",", values);
        PartitionPositions from = lastEventId != null ? FeedPositions.afterEventId(lastEventId, partitions.count())
            : from(r);
        try {
            sse.answer(r.exchange, token, from, filter(r, token), () -> draining);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return new Answer(200, null, null);
    }

    /** {@code from}: the start when absent (see {@link FeedPositions}). */
    private PartitionPositions from(Request r) {
        return FeedPositions.parse("from", r.query.get("from"), partitions.count(), PartitionPositions.start(partitions.count()));
    }

    /** The events a reader wants: the token's streams, and its {@code stream_prefix} and {@code type} if given. */
    private EventFeed.Filter filter(Request r, Token token) {
        return EventFeed.Filter.of(token, r.query.get("stream_prefix"), r.query.get("type"), partitions.auditLedger().config().maxStreamBytes());
    }

    private String query(Request r, Token token, String projection) {
        List<ReferenceQueries.Row> rows = reads.query(token, projection, r.query);
        StringBuilder out = new StringBuilder("{\"projection\":").append(quote(projection)).append(",\"rows\":[");
        for (int i = 0; i < rows.size(); i++) {
            out.append(i == 0 ? "" : ",").append(rows.get(i).json());
        }
        return out.append("]}").toString();
    }

    /**
     * Health for a load balancer or an orchestrator, without a token, so it tells nothing else:
     * {@code live} while the server answers; {@code ready} as {@link Readiness#projectionsReady}.
     */
    private Answer health(String check) {
        boolean ready = switch (check) {
            case "live" -> true;
            case "ready" -> Readiness.projectionsReady(engine);
            default -> throw ApiError.notFound("path", "no health check '" + check + "' (live, ready)");
        };
        return ready ? json(200, "{\"status\":\"" + check + "\"}") : json(503, "{\"status\":\"not_" + check + "\"}");
    }

    private String status() {
        List<ProjectionStatus> projections = engine == null ? List.of() : engine.status();
        return EventJson.object(g -> {
            g.writeFieldName("head");
            g.writeRawValue(FeedPositions.json(partitions.head()));
            if (partitions.count() > 1) {
                g.writeNumberField("partitions", partitions.count());
            }
            g.writeStringField("durability", partitions.auditLedger().config().durability().name());
            List<Optional<String>> writers = partitions.writers();
            if (!writers.isEmpty()) { // a cluster node: which node writes each partition
                g.writeArrayFieldStart("writers");
                for (Optional<String> writer : writers) {
                    g.writeString(writer.orElse(null));
                }
                g.writeEndArray();
            }
            g.writeArrayFieldStart("projections");
            for (ProjectionStatus p : projections) {
                g.writeStartObject();
                g.writeStringField("name", p.name());
                g.writeStringField("state", p.state().name());
                g.writeStringField("live_version", p.liveVersion());
                g.writeNumberField("position", p.position());
                g.writeNumberField("lag", p.lag());
                g.writeEndObject();
            }
            g.writeEndArray();
        });
    }

    private Token authorize(Request r, Verb verb, String stream) {
        Token token = access.authenticate(r.address(), r.exchange.getRequestHeaders().getFirst("Authorization"));
        access.permit(r.address(), token, verb, stream);
        r.holdSlot(() -> slots.take(token));
        return token;
    }

    private static ApiError notFound(Request r) {
        return ApiError.notFound("path", "no route " + r.method + " " + r.exchange.getRequestURI().getRawPath()
            + " (see server/README.md)");
    }

    private static ApiError methodNotAllowed(Request r) {
        return new ApiError(405, "method_not_allowed", "method", r.method + " is not allowed on "
            + r.exchange.getRequestURI().getRawPath());
    }


    private static String quote(String text) {
        return '"' + new String(JsonStringEncoder.getInstance().quoteAsString(text)) + '"';
    }

    private static String error(ApiError e) {
        return e.json(null);
    }

    private static Answer json(int status, String body) {
        return new Answer(status, "application/json; charset=utf-8", body);
    }

    /**
     * A refusal may come before the request's body is read (a missing token is refused unread);
     * the server then closes the connection after answering, and a client that reused it for its
     * next request would get no answer at all. Saying so lets it open a new one.
     */
    static void closeAfterRefusal(HttpExchange exchange) {
        String length = exchange.getRequestHeaders().getFirst("Content-Length");
        if (exchange.getRequestHeaders().containsKey("Transfer-Encoding") || length != null && !length.equals("0")) {
            exchange.getResponseHeaders().set("Connection", "close");
        }
    }

    private static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /**
     * A JSON answer around a page of events, written an event at a time: the page (at most
     * {@link EventFeed#PAGE_BYTES} of payloads) is the only copy in memory, never a string of it all.
     */
    private void sendEvents(HttpExchange exchange, Answer answer) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", answer.contentType);
        exchange.sendResponseHeaders(answer.status, 0); // chunked
        try (OutputStream out = new BufferedOutputStream(exchange.getResponseBody(), 16 * 1024)) {
            out.write(answer.body.getBytes(StandardCharsets.UTF_8));
            out.write('[');
            for (int i = 0; i < answer.count; i++) {
                if (i > 0) {
                    out.write(',');
                }
                out.write(answer.line.apply(i).getBytes(StandardCharsets.UTF_8));
            }
            out.write(']');
            out.write(answer.tail.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** {@code head}, then {@code count} events as a JSON array, each written when sent by {@code line}, then {@code tail}. */
    private static Answer events(int status, String head, int count, IntFunction<String> line, String tail) {
        return new Answer(status, "application/json; charset=utf-8", head, count, line, tail);
    }

    /** {@code body}, or with a {@code line} per event: {@code body} + the events as a JSON array + {@code tail}. */
    private record Answer(int status, String contentType, String body, int count, IntFunction<String> line, String tail) {
        Answer(int status, String contentType, String body) {
            this(status, contentType, body, 0, null, null);
        }
    }
}
