package dev.indelible.server.internal;

import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.InvalidEventException;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An append for either API: through {@link Ledger#appendAsync} (concurrent requests share a sync),
 * waited for until durable; anything but {@link AppendResult.Appended} becomes an {@link ApiError}.
 * Thread-safe.
 */
final class Appends {
    private static final long TIMEOUT_SECONDS = 30;

    private final Ledger ledger;
    private final ServerMetrics metrics;
    private final int maxEvents;
    private final Runnable onDurable;

    /** @param onDurable called after each append that is durable, e.g. to wake readers waiting for events */
    Appends(Ledger ledger, ServerMetrics metrics, int maxEvents, Runnable onDurable) {
        this.ledger = ledger;
        this.metrics = metrics;
        this.maxEvents = maxEvents;
        this.onDurable = onDurable;
    }

    AppendResult.Appended append(String stream, long expectedVersion, List<EventData> events) {
        return await(appendAsync(stream, expectedVersion, events));
    }

    /**
     * Writes now and completes once durable, with the {@link ApiError} of a refusal or a failure;
     * bad input throws at once. Streamed gRPC appends keep many of these in flight.
     */
    CompletableFuture<AppendResult.Appended> appendAsync(String stream, long expectedVersion, List<EventData> events) {
        if (events.isEmpty()) {
            throw ApiError.invalid("events", "is empty: give at least one event");
        }
        checkCount(events.size());
        CompletableFuture<AppendResult> written;
        try {
            written = ledger.appendAsync(stream, expectedVersion, events);
        } catch (InvalidEventException e) {
            throw ApiError.invalid(e.field(), e.reason());
        } catch (LedgerException e) {
            throw unavailable(e);
        }
        return written.handle((result, failure) -> {
            if (failure != null) {
                Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
                throw cause instanceof InvalidEventException invalid ? ApiError.invalid(invalid.field(), invalid.reason())
                    : unavailable(cause);
            }
            metrics.appended(result);
            if (result instanceof AppendResult.Appended appended) {
                onDurable.run();
                return appended;
            }
            throw refusal(result, events.size());
        });
    }

    /** The API error of an append that was refused: the one mapping of ledger results to the wire. */
    static ApiError refusal(AppendResult result, int events) {
        if (result instanceof AppendResult.WrongExpectedVersion w) {
            return new ApiError(409, "wrong_expected_version", "expected_version",
                "stream " + w.stream() + " is at version " + describe(w.actualVersion()) + ", not " + describe(w.expectedVersion()),
                Map.of("stream", w.stream(), "expected_version", w.expectedVersion(), "actual_version", w.actualVersion()));
        }
        if (result instanceof AppendResult.RuleViolated v) {
            String at = events > 1 ? "events[" + v.event() + "].data." : "data.";
            return new ApiError(409, "rule_violated", at + v.field(), v.message(),
                Map.of("stream", v.stream(), "event_index", (long) v.event(), "rule", v.rule(), "checked_stream",
                    v.checkedStream(), "required_version", v.requiredVersion(), "actual_version", v.actualVersion(),
                    "why", v.why()));
        }
        AppendResult.EventIdConflict c = (AppendResult.EventIdConflict) result;
        return new ApiError(409, "event_id_conflict", "event_id",
            "event_id " + c.eventId() + " is already at global_seq " + c.existingGlobalSeq() + " with other content: " + c.reason(),
            Map.of("stream", c.stream(), "event_id", c.eventId().toString(), "existing_global_seq", c.existingGlobalSeq()));
    }

    /** Wakes what waits for appends, as after {@link #append}: for appends made elsewhere in the server. */
    void durable() {
        onDurable.run();
    }

    /** Refuses (413) more events than one append may hold: callers check before decoding them. */
    void checkCount(int events) {
        if (events > maxEvents) {
            throw new ApiError(413, "too_many_events", "events", events + " events in one append; at most "
                + maxEvents + " (split the batch, or raise --max-events)");
        }
    }

    private static AppendResult.Appended await(CompletableFuture<AppendResult.Appended> append) {
        try {
            return append.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw (ApiError) e.getCause();
        } catch (TimeoutException e) {
            throw new ApiError(503, "unavailable", null, "the append was not durable within " + TIMEOUT_SECONDS
                + " s; it may still complete: retry with the same event_id");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiError(503, "unavailable", null, "the server is stopping; retry with the same event_id");
        }
    }

    private static ApiError unavailable(Throwable cause) {
        return new ApiError(503, "unavailable", null, "the ledger did not take the append: " + cause.getMessage()
            + "; retry with the same event_id");
    }

    static String describe(long version) {
        if (version == ExpectedVersion.NO_STREAM) {
            return "new (no stream)";
        }
        if (version == ExpectedVersion.ANY) {
            return "any";
        }
        if (version == ExpectedVersion.STREAM_EXISTS) {
            return "exists";
        }
        return Long.toString(version);
    }
}
