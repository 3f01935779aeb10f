package dev.indelible.cli;

import dev.indelible.server.EventInput;

import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.InvalidEventException;
import dev.indelible.ledger.Ledger;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Appends NDJSON lines as they arrive through the ledger's async path, so group commit batches
 * them, and acknowledges each on stdout, in input order, once it is durable.
 *
 * <p>A bad line stops reading (exit 2, naming the line and field); the lines before it stay
 * appended and were acknowledged. A conflict (wrong expected version, reused id) is reported for
 * its line and the stream goes on, since later lines may already be in flight; the exit code is 3.
 */
final class NdjsonAppender {
    private static final int IN_FLIGHT = 4_096;

    private final Ledger ledger;
    private final PrintWriter out;
    private final PrintWriter err;
    private final boolean json;
    private final BlockingQueue<Pending> pending = new ArrayBlockingQueue<>(IN_FLIGHT);
    private volatile int conflicts;
    private volatile RuntimeException failure;

    NdjsonAppender(Ledger ledger, PrintWriter out, PrintWriter err, boolean json) {
        this.ledger = ledger;
        this.out = out;
        this.err = err;
        this.json = json;
    }

    int run(BufferedReader in) throws IOException, InterruptedException {
        Thread printer = new Thread(this::acknowledgeInOrder, "indelible-acks");
        printer.start();
        InvalidEventException badLine = null;
        try {
            long lineNumber = 0;
            for (String line = in.readLine(); line != null && failure == null; line = in.readLine()) {
                lineNumber++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    EventInput input = EventInput.ofLine(line);
                    CompletableFuture<AppendResult> future =
                        ledger.appendAsync(input.stream(), input.expectedVersion(), input.event());
                    pending.put(new Pending(lineNumber, input, future));
                } catch (InvalidEventException e) {
                    badLine = new InvalidEventException("line " + lineNumber + ": " + e.field(), e.reason());
                    break;
                }
            }
        } finally {
            pending.put(Pending.END);
            printer.join();
        }
        if (failure != null) {
            throw failure;
        }
        if (badLine != null) {
            throw badLine;
        }
        return conflicts > 0 ? Main.CONFLICT : Main.OK;
    }

    private void acknowledgeInOrder() {
        try {
            for (Pending p = pending.take(); p != Pending.END; p = pending.take()) {
                if (failure != null) {
                    continue;
                }
                try {
                    out.println(Acknowledgement.of(p.input(), p.future().join(), json));
                } catch (Main.ConflictException e) {
                    conflicts++;
                    err.println("indelible append: line " + p.line() + ": " + e.getMessage());
                    err.flush();
                } catch (CompletionException e) {
                    failure = new IllegalStateException("line " + p.line() + " was not appended: "
                        + e.getCause().getMessage() + "; lines before it were", e.getCause());
                }
                out.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private record Pending(long line, EventInput input, CompletableFuture<AppendResult> future) {
        static final Pending END = new Pending(-1, null, null);
    }
}
