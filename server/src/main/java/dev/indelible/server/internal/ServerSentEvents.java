package dev.indelible.server.internal;

import com.sun.net.httpserver.HttpExchange;
import dev.indelible.ledger.PartitionPositions;
import dev.indelible.server.Token;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * {@code GET /subscribe}: the journal from a position as server-sent events, then following new
 * ones. Each event is {@code id: <global_seq>} and {@code data: <the event as /events writes it>};
 * a client resumes with {@code Last-Event-ID}. Over several partitions the id is the positions past
 * the event (its {@code next}, {@code 12,0,7}), which {@code Last-Event-ID} resumes from. A comment line every {@link #HEARTBEAT_MILLIS}
 * keeps proxies from closing an idle stream; the stream ends when the server stops (the client
 * resumes) or the token is revoked (an {@code event: error} first).
 *
 * <p>Each subscriber holds one of the server's request threads, so at most
 * {@link #MAX_SUBSCRIBERS} are open at once; one that never reads blocks only its own thread, with
 * at most its 16 KiB buffer and the socket's queue in memory. Thread-safe.
 */
final class ServerSentEvents {
    static final int MAX_SUBSCRIBERS = 16;
    static final long HEARTBEAT_MILLIS = 15_000;
    /** How often the server's stop and the token's revocation are looked at while waiting. */
    private static final long CHECK_MILLIS = 250;
    private static final int PAGE = 256;

    private final EventFeed feed;
    private final Access access;
    private final long heartbeatNanos;
    private final AtomicInteger open = new AtomicInteger();

    /** @param idleTimeoutMillis the connection's: a quiet subscription sends a heartbeat well within it */
    ServerSentEvents(EventFeed feed, Access access, long idleTimeoutMillis) {
        this.feed = feed;
        this.access = access;
        this.heartbeatNanos = TimeUnit.MILLISECONDS.toNanos(Math.min(HEARTBEAT_MILLIS, idleTimeoutMillis / 2));
    }

    /** Streams until the client leaves, the server stops or the token is revoked; refuses (429) past the cap. */
    void answer(HttpExchange exchange, Token token, PartitionPositions from, EventFeed.Filter filter, BooleanSupplier stopping)
        throws InterruptedException {
        if (open.incrementAndGet() > MAX_SUBSCRIBERS) {
            open.decrementAndGet();
            throw new ApiError(429, "too_many_subscriptions", null, "this server streams to " + MAX_SUBSCRIBERS
                + " subscribers already; retry later, or poll GET /events?wait=");
        }
        try {
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
            exchange.getResponseHeaders().set("Cache-Control", "no-cache");
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = new BufferedOutputStream(exchange.getResponseBody(), 16 * 1024)) {
                stream(out, token, from, filter, stopping);
            }
        } catch (IOException clientLeft) {
            // nothing to clean up: it resumes from its Last-Event-ID
        } finally {
            open.decrementAndGet();
        }
    }

    private void stream(OutputStream out, Token token, PartitionPositions from, EventFeed.Filter filter, BooleanSupplier stopping)
        throws IOException, InterruptedException {
        write(out, ": following from global_seq " + from + "\n\n");
        PartitionPositions position = from;
        long quietSince = System.nanoTime();
        while (!stopping.getAsBoolean()) {
            if (!access.stillValid(token)) {
                write(out, "event: error\ndata: {\"error\":\"unauthenticated\",\"message\":\"the token was revoked\"}\n\n");
                return;
            }
            EventFeed.Page page = feed.read(position, PAGE, filter, CHECK_MILLIS, stopping);
            position = page.next();
            for (EventFeed.Item e : page.events()) {
                String id = e.after() == null ? Long.toString(e.event().globalSeq()) : e.after().toString();
                write(out, "id: " + id + "\ndata: " + EventJson.line(e, feed.personalData()) + "\n\n");
            }
            if (!page.events().isEmpty()) {
                quietSince = System.nanoTime();
            } else if (System.nanoTime() - quietSince > heartbeatNanos) {
                write(out, ": heartbeat at global_seq " + position + "\n\n");
                quietSince = System.nanoTime();
            }
            out.flush();
        }
        write(out, ": the server is stopping; resume with Last-Event-ID\n\n");
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
    }
}
