package dev.indelible.server.internal;

import com.sun.net.httpserver.HttpExchange;
import dev.indelible.ledger.InvalidEventException;
import dev.indelible.server.Token;
import dev.indelible.server.api.AppendOutcome;
import dev.indelible.server.api.AppendRequest;
import dev.indelible.server.api.Appended;
import dev.indelible.server.api.Failure;
import dev.indelible.server.api.TransactionOutcome;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code POST /append}: an NDJSON body of appends, one per line as {@code indelible append --ndjson}
 * takes them, answered as NDJSON in input order, each line once durable. Body and answer are
 * streamed, never held whole, so one request can carry a million events in bounded memory.
 *
 * <pre>
 * {"line": 1, "stream": "selfies-user-7", "global_seq": 41, "stream_version": 3, "event_id": "...", "duplicate": false}
 * {"line": 2, "error": "wrong_expected_version", "field": "expected_version", "message": "...", ...}  a conflict: goes on
 * {"line": 3, "first_global_seq": 43, "last_global_seq": 44, "duplicate": false, "parts": [...]}   a transaction
 * {"line": 4, "error": "invalid_argument", "field": "data.user_id", "message": "..."}              a bad line: the last
 * </pre>
 *
 * <p>Each line is read into the wire's {@link AppendRequest}, or a {@code TransactionRequest} when
 * it has {@code parts} ({@link JsonAppend#line}), and appended by the {@link AppendService}, as
 * {@code POST /streams/{stream}} and {@code POST /transactions} do. A line refused before the ledger sees it (bad
 * input, a stream the token may not append to) ends the stream; a conflict is that line's outcome.
 * A bad first line is a plain error answer with its status (400, 403). When the server stops
 * ({@link #stop}), reading ends, even a read waiting for a client that sends nothing: the lines read
 * are acknowledged once durable, then a line {@code {"error": "unavailable", ...}} without a
 * {@code line} ends the answer, so clients send the rest again (with their event ids) when it is
 * back. Thread-safe: one call per request.
 */
final class StreamedAppends {
    private static final int IN_FLIGHT = 4_096;

    private final int maxLineBytes;
    private final AppendService appends;
    private final Set<StoppableBody> reading = ConcurrentHashMap.newKeySet();
    private volatile boolean stopping;

    StreamedAppends(int maxLineBytes, AppendService appends) {
        this.maxLineBytes = maxLineBytes;
        this.appends = appends;
    }

    /** Answers the exchange; throws an {@link ApiError} only while nothing has been sent. */
    void answer(HttpExchange exchange, InetAddress address, Token token) throws InterruptedException {
        Answer answer = new Answer(exchange);
        NdjsonAppends.LineAppend<LineOutcome> start = line -> {
            JsonAppend.Line parsed = JsonAppend.line(line);
            if (parsed.transaction() != null) {
                CompletableFuture<TransactionOutcome> outcome = appends.appendAsync(address, token, parsed.transaction());
                TransactionOutcome now = outcome.getNow(null);
                refuseBadLine(now != null && now.hasFailure() ? now.getFailure() : null);
                return outcome.thenApply(o -> new LineOutcome(null, null, o));
            }
            AppendRequest request = parsed.append();
            CompletableFuture<AppendOutcome> outcome = appends.appendAsync(address, token, request,
                AppendService.EventNames.BARE);
            AppendOutcome now = outcome.getNow(null);
            refuseBadLine(now != null && now.hasFailure() ? now.getFailure() : null);
            return outcome.thenApply(o -> new LineOutcome(request.getEvents(0).getEventId(), o, null));
        };
        StoppableBody body = new StoppableBody(exchange.getRequestBody());
        reading.add(body);
        if (stopping) {
            body.stop();
        }
        try {
            new NdjsonAppends<LineOutcome>(IN_FLIGHT, maxLineBytes).run(body, start, answer);
        } catch (StoppableBody.Stopped e) {
            if (!answer.started()) {
                throw ApiError.unavailable("the server is stopping; send the lines again (with their event ids) when it is back");
            }
            write(answer, ApiError.unavailable("the server is stopping: the lines after the last one answered were not read;"
                + " send them again (with their event ids) when it is back").json(null));
        } catch (IOException clientLeft) {
            // mid-body: each line read was one whole append; the client retries the rest with their event ids
        } catch (NdjsonAppends.BadLineException e) {
            ApiError error = e.why() instanceof ApiError api ? api
                : e.why() instanceof InvalidEventException invalid ? ApiError.invalid(invalid.field(), invalid.reason())
                : new ApiError(400, "invalid_argument", "line", e.why().getMessage());
            if (!answer.started()) {
                throw error.prefixed("line " + e.line() + ": ");
            }
            write(answer, error.json(e.line()));
        } catch (IllegalStateException ledgerFailed) {
            if (!answer.started()) {
                throw ApiError.unavailable(ledgerFailed.getMessage() + "; retry with the same event_id");
            }
            write(answer, ApiError.unavailable(ledgerFailed.getMessage()).json(null));
        } finally {
            reading.remove(body);
        }
        answer.close();
    }

    /** The server is stopping: every request stops reading its body and ends its answer as the class comment says. */
    void stop() {
        stopping = true;
        reading.forEach(StoppableBody::stop);
    }

    /** A failure at once that is not a conflict was refused before the ledger saw it: a bad line, which ends the stream. */
    private static void refuseBadLine(Failure failure) {
        if (failure != null && !failure.getCode().equals("FAILED_PRECONDITION")) {
            throw ApiError.of(failure);
        }
    }

    /** A line's outcome: a single append's (with its event id) or a transaction's. */
    private record LineOutcome(String eventId, AppendOutcome outcome, TransactionOutcome transaction) {
    }

    private static void write(Answer answer, String line) {
        try {
            answer.write(line);
        } catch (IOException gone) {
            // nothing more to tell a client that left
        }
    }

    /** The NDJSON answer: headers sent with the first line, lines buffered and flushed whenever no outcome is ready. */
    private static final class Answer implements NdjsonAppends.Outcomes<LineOutcome> {
        private final HttpExchange exchange;
        private OutputStream out;

        Answer(HttpExchange exchange) {
            this.exchange = exchange;
        }

        boolean started() {
            return out != null;
        }

        @Override
        public void outcome(long line, LineOutcome o) throws IOException {
            if (o.transaction() != null) {
                write(o.transaction().hasFailure() ? ApiError.json(o.transaction().getFailure(), line)
                    : WireTransactions.json(o.transaction().getCommitted(), line));
                return;
            }
            if (o.outcome().hasFailure()) {
                write(ApiError.json(o.outcome().getFailure(), line));
                return;
            }
            Appended a = o.outcome().getAppended();
            write(EventJson.object(g -> {
                g.writeNumberField("line", line);
                g.writeStringField("stream", a.getStream());
                g.writeNumberField("global_seq", a.getFirstGlobalSeq());
                g.writeNumberField("stream_version", a.getFirstStreamVersion());
                g.writeStringField("event_id", o.eventId());
                g.writeBooleanField("duplicate", a.getDuplicate());
            }));
        }

        @Override
        public void idle() throws IOException {
            if (out != null) {
                out.flush();
            }
        }

        void write(String line) throws IOException {
            start();
            out.write(line.getBytes(StandardCharsets.UTF_8));
            out.write('\n');
        }

        private void start() throws IOException {
            if (out == null) {
                exchange.getResponseHeaders().set("Content-Type", "application/x-ndjson; charset=utf-8");
                exchange.sendResponseHeaders(200, 0);
                out = new BufferedOutputStream(exchange.getResponseBody(), 64 * 1024);
            }
        }

        /** Ends the answer (an empty body gets 200 and no lines); a client that left is no error. */
        void close() {
            try {
                start();
                out.close();
            } catch (IOException gone) {
                // the appends it made stay; it reconnects and retries with the same event ids
            }
        }
    }
}
