package dev.indelible.server.internal;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * One long console operation's answer as server-sent events, the format {@code /subscribe} uses:
 * {@code event: progress} at most every {@link #EVERY_MILLIS} (a rebuild reports every batch), then
 * one {@code event: result} or {@code event: error}, each with a JSON {@code data:} line. A client
 * that leaves does not stop the operation: it was started, it finishes and is journaled. Thread-safe
 * (a rebuild reports from its own thread).
 */
final class OperationProgress implements AutoCloseable {
    static final long EVERY_MILLIS = 100;

    private final OutputStream out;
    private long lastProgress;
    private boolean gone;

    private OperationProgress(OutputStream out, boolean gone) {
        this.out = out;
        this.gone = gone;
    }

    /** Sends the stream's headers; a client already gone gets nothing, and the operation runs all the same. */
    static OperationProgress open(HttpExchange exchange) {
        try {
            exchange.sendResponseHeaders(200, 0);
            return new OperationProgress(exchange.getResponseBody(), false);
        } catch (IOException clientLeft) {
            return new OperationProgress(OutputStream.nullOutputStream(), true);
        }
    }

    /** A progress report, dropped when one was sent less than {@link #EVERY_MILLIS} ago. */
    synchronized void progress(String json) {
        long now = System.nanoTime();
        if (lastProgress != 0 && now - lastProgress < TimeUnit.MILLISECONDS.toNanos(EVERY_MILLIS)) {
            return;
        }
        lastProgress = now;
        send("progress", json);
    }

    synchronized void result(String json) {
        send("result", json);
    }

    synchronized void error(ApiError e) {
        send("error", e.json(null));
    }

    @Override
    public synchronized void close() {
        try {
            out.close();
        } catch (IOException clientLeft) {
            gone = true;
        }
    }

    private void send(String event, String json) {
        if (gone) {
            return;
        }
        try {
            out.write(("event: " + event + "\ndata: " + json + "\n\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException clientLeft) {
            gone = true;
        }
    }
}
