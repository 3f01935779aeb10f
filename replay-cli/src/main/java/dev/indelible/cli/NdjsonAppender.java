package dev.indelible.cli;

import dev.indelible.ledger.InvalidEventException;
import dev.indelible.ledger.Ledger;
import dev.indelible.server.internal.EventInput;
import dev.indelible.server.internal.NdjsonAppends;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.function.Supplier;

/**
 * {@code append --ndjson}: the lines through {@link NdjsonAppends}, each acknowledged on stdout in
 * input order once durable. A line is one event, or a transaction ({@code {"parts", "conditions"}},
 * as {@code POST /transactions} takes it).
 *
 * <p>A bad line stops reading (exit 2, naming the line and field); the lines before it stay
 * appended and were acknowledged. A conflict (wrong expected version, reused id, a rule) is
 * reported for its line on stderr and the stream goes on; the exit code is then 3.
 */
final class NdjsonAppender {
    private static final int IN_FLIGHT = 4_096;
    /** A line holds one event (or a transaction's): the largest payload the ledger takes, with room for its JSON. */
    private static final int MAX_LINE_BYTES = 4 << 20;

    private final Ledger ledger;
    private final PrintWriter out;
    private final PrintWriter err;
    private final boolean json;
    private int conflicts;

    NdjsonAppender(Ledger ledger, PrintWriter out, PrintWriter err, boolean json) {
        this.ledger = ledger;
        this.out = out;
        this.err = err;
        this.json = json;
    }

    int run(InputStream in) throws IOException, InterruptedException {
        try {
            new NdjsonAppends<Supplier<String>>(IN_FLIGHT, MAX_LINE_BYTES).run(in, line -> {
                EventInput.Line input = EventInput.ofLine(line);
                if (input.transaction() != null) {
                    return ledger.appendAsync(input.transaction())
                        .thenApply(result -> () -> Acknowledgement.of(result, json));
                }
                return ledger.appendAsync(input.event().stream(), input.event().expectedVersion(), input.event().event())
                    .thenApply(result -> () -> Acknowledgement.of(input.event(), result, json));
            }, (line, acknowledgement) -> {
                try {
                    out.println(acknowledgement.get());
                } catch (Main.ConflictException e) {
                    conflicts++;
                    err.println("indelible append: line " + line + ": " + e.getMessage());
                    err.flush();
                }
                out.flush();
            });
        } catch (NdjsonAppends.BadLineException e) {
            if (e.why() instanceof InvalidEventException invalid) {
                throw new InvalidEventException("line " + e.line() + ": " + invalid.field(), invalid.reason());
            }
            throw e;
        }
        return conflicts > 0 ? Main.CONFLICT : Main.OK;
    }
}
