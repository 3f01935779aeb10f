package dev.indelible.cli;

import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.Ledger;
import dev.indelible.server.internal.EventInput;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Appends an import's records through {@link Ledger#appendAsync} with at most {@code inFlight}
 * not yet complete, so memory stays bounded (and on Kafka, under {@code SYNC}, one sync covers
 * many records), and counts the outcomes in file order. On the embedded journal the ledger it is
 * given is the staged copy of {@link Ledger#appendAllOrNothing}: complete there means written.
 *
 * <p>Design note: {@code NdjsonAppends} has the same window, but its entry point reads NDJSON
 * lines and its window is private to the server module; import has parsed events (ids from
 * content, metadata) and only counts outcomes, so the caller's thread waits for the oldest itself.
 *
 * <p>One instance per import; not thread-safe.
 */
final class ImportAppends implements LegacyFiles.Records {
    /** An append waiting for its sync, or (future null) a record the file itself left out, kept in line. */
    private record Pending(String stream, CompletableFuture<AppendResult> future, String leftOut) {
    }

    private final Ledger ledger;
    private final int inFlight;
    private final ArrayDeque<Pending> pending;
    private final List<String> skipped = new ArrayList<>();
    private long records;
    private long appended;
    private long already;

    ImportAppends(Ledger ledger, int inFlight) {
        this.ledger = ledger;
        this.inFlight = inFlight;
        this.pending = new ArrayDeque<>(inFlight);
    }

    @Override
    public void event(EventInput input) {
        makeRoom();
        pending.add(new Pending(input.stream(), ledger.appendAsync(input.stream(), input.expectedVersion(), input.event()), null));
    }

    @Override
    public void skipped(String why) {
        makeRoom();
        pending.add(new Pending(null, null, why));
    }

    /** Counts what is durable at the head, waiting for the oldest only when the window is full. */
    private void makeRoom() {
        records++;
        if (pending.size() == inFlight) {
            count(pending.poll());
        }
        while (!pending.isEmpty() && (pending.peek().future() == null || pending.peek().future().isDone())) {
            count(pending.poll());
        }
    }

    /** Waits until every append made is durable; the counts are final after it. */
    void awaitDurable() {
        while (!pending.isEmpty()) {
            count(pending.poll());
        }
    }

    private void count(Pending p) {
        if (p.future() == null) {
            skipped.add(p.leftOut());
            return;
        }
        AppendResult result;
        try {
            result = p.future().join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
        if (result instanceof AppendResult.Appended a) {
            if (a.duplicate()) {
                already++;
            } else {
                appended++;
            }
        } else if (result instanceof AppendResult.WrongExpectedVersion) {
            skipped.add(p.stream() + ": already in the ledger from another registration");
        } else if (result instanceof AppendResult.RuleViolated violated) {
            skipped.add(p.stream() + ": " + violated.message());
        } else {
            skipped.add(p.stream() + ": " + ((AppendResult.EventIdConflict) result).reason());
        }
    }

    long records() {
        return records;
    }

    long appended() {
        return appended;
    }

    long already() {
        return already;
    }

    List<String> skipped() {
        return skipped;
    }
}
