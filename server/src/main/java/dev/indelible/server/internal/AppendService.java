package dev.indelible.server.internal;

import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.InvalidEventException;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerException;
import dev.indelible.ledger.LedgerPartitions;
import dev.indelible.ledger.Transaction;
import dev.indelible.ledger.TransactionResult;
import dev.indelible.server.Token;
import dev.indelible.server.Verb;
import dev.indelible.server.api.AppendOutcome;
import dev.indelible.server.api.AppendRequest;
import dev.indelible.server.api.Appended;
import dev.indelible.server.api.Failure;
import dev.indelible.server.api.SingleEventColumns;
import dev.indelible.server.api.TransactionOutcome;
import dev.indelible.server.api.TransactionRequest;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The append of every transport, over the messages of {@code ledger_service.proto}: an
 * {@link AppendRequest} in, an {@link AppendOutcome} out, which is {@code Appended} once durable or
 * the {@link Failure} that kept it out. HTTP's JSON, NDJSON lines and gRPC all come here; each only
 * writes the outcome in its own form. {@link #outcome(AppendResult, int)} is the one mapping of a
 * ledger result to the wire. Appends go through {@link Ledger#appendAsync}, so concurrent requests
 * share a sync. Thread-safe.
 */
final class AppendService {
    static final long TIMEOUT_SECONDS = 30;

    private final LedgerPartitions partitions;
    private final Access access;
    private final ServerMetrics metrics;
    private final int maxEvents;
    private final Runnable onDurable;

    /** @param onDurable called after each append that is durable, e.g. to wake readers waiting for events */
    AppendService(LedgerPartitions partitions, Access access, ServerMetrics metrics, int maxEvents, Runnable onDurable) {
        this.partitions = partitions;
        this.access = access;
        this.metrics = metrics;
        this.maxEvents = maxEvents;
        this.onDurable = onDurable;
    }

    /**
     * Checks {@code request} against {@code token}, writes it now and completes once it is durable
     * or refused. The future always completes normally: every refusal and failure is a
     * {@link Failure} outcome.
     */
    CompletableFuture<AppendOutcome> appendAsync(InetAddress address, Token token, AppendRequest request, EventNames names) {
        boolean indexed = request.getEventsCount() > 1;
        return write(address, token, request, names).handle((result, refused) -> outcome(result, refused, indexed));
    }

    /**
     * {@link #appendAsync} for a transport that writes the ledger's result its own way: the future
     * completes with the {@link AppendResult} once durable, or exceptionally with the
     * {@link ApiError} that kept the append out (see {@link #outcome(AppendResult, Throwable, boolean)}).
     */
    CompletableFuture<AppendResult> write(InetAddress address, Token token, AppendRequest request, EventNames names) {
        return write(() -> {
            access.permit(address, token, Verb.APPEND, request.getStream());
            List<EventData> events = eventData(request, names);
            return partitions.ledgerFor(request.getStream(), events).appendAsync(request.getStream(), expectedVersion(request), events);
        }, result -> {
            metrics.appended(result);
            return result instanceof AppendResult.Appended;
        });
    }

    /**
     * {@link #write(InetAddress, Token, AppendRequest, EventNames)} for append {@code i} of
     * {@code columns}: one event, no metadata, errors named as for an {@code AppendRequest} of one event.
     */
    CompletableFuture<AppendResult> write(InetAddress address, Token token, SingleEventColumns columns, int i) {
        return write(() -> {
            String stream = columns.getStreams(i);
            access.permit(address, token, Verb.APPEND, stream);
            column(columns.getExpectedVersionsCount(), i, "expected_versions");
            column(columns.getTypesCount(), i, "types");
            column(columns.getContentTypesCount(), i, "content_types");
            column(columns.getPayloadsCount(), i, "payloads");
            column(columns.getEventIdsCount(), i, "event_ids");
            long expectedVersion = expectedVersion(columns.getExpectedVersions(i));
            EventData event = NewEvents.eventData(columns.getTypes(i), columns.getContentTypes(i), columns.getPayloads(i),
                columns.getEventIds(i));
            return partitions.ledgerFor(stream, List.of(event)).appendAsync(stream, expectedVersion, event);
        }, result -> {
            metrics.appended(result);
            return result instanceof AppendResult.Appended;
        });
    }

    /** Refuses append {@code i} when a column has no value for it. */
    private static void column(int count, int i, String name) {
        if (i >= count) {
            throw ApiError.invalid("singles." + name, "has " + count + " values, not one for each of the streams");
        }
    }

    /** A {@code SingleEventColumns} expected version: the ledger's own numbers. */
    private static long expectedVersion(long version) {
        if (version < 0 && version != ExpectedVersion.ANY && version != ExpectedVersion.NO_STREAM
                && version != ExpectedVersion.STREAM_EXISTS) {
            throw ApiError.invalid("expected_version", "is " + version + ": give a version >= 0, -1 (no stream), "
                + "-2 (any) or -4 (exists)");
        }
        return version;
    }

    /**
     * {@link #appendAsync} for a transaction: the token must be allowed to append to every part's
     * stream, and to read or append to every condition's stream (a condition tells its stream's
     * version, as a refused append to it would).
     */
    CompletableFuture<TransactionOutcome> appendAsync(InetAddress address, Token token, TransactionRequest request) {
        return write(() -> {
            for (int p = 0; p < request.getPartsCount(); p++) {
                access.permit(address, token, Verb.APPEND, request.getParts(p).getStream(), "parts[" + p + "].stream");
            }
            for (int c = 0; c < request.getConditionsCount(); c++) {
                access.permitCondition(address, token, request.getConditions(c).getStream(), "conditions[" + c + "].stream");
            }
            int events = WireTransactions.eventCount(request);
            if (events > maxEvents) {
                throw new ApiError(413, "too_many_events", "parts", events + " events in one transaction; at most "
                    + maxEvents + " (raise --max-events)");
            }
            Transaction transaction = WireTransactions.transaction(request);
            return partitions.ledgerFor(transaction).appendAsync(transaction);
        }, result -> {
            metrics.committed(result);
            return result instanceof TransactionResult.Committed;
        }).handle((result, refused) -> refused == null ? WireTransactions.outcome(result, request)
            : WireTransactions.failed(refusal(refused)));
    }

    /**
     * The one way a request reaches the ledger: {@code start} checks it and writes it; a refusal
     * before the ledger (bad input, a permission) and a failure of the ledger complete the future
     * with an {@link ApiError}. {@code counted} records a result and says whether something was written.
     */
    private <R> CompletableFuture<R> write(Supplier<CompletableFuture<R>> start, Predicate<R> counted) {
        CompletableFuture<R> written;
        try {
            written = start.get();
        } catch (ApiError | InvalidEventException | LedgerException e) {
            return CompletableFuture.failedFuture(refusal(e));
        } catch (IllegalStateException closed) { // the ledger closed under the server (a writer stepping down): retry
            return CompletableFuture.failedFuture(notTaken(closed));
        }
        if (written.isDone() && !written.isCompletedExceptionally()) { // durable already (no sync): no stage to add
            if (counted.test(written.join())) {
                onDurable.run();
            }
            return written;
        }
        return written.handle((result, failure) -> {
            if (failure != null) {
                throw refusal(failure);
            }
            if (counted.test(result)) {
                onDurable.run();
            }
            return result;
        });
    }

    /** Why an append failed, from a failure of {@link #write}: an {@link ApiError} for the wire. */
    static ApiError refusal(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof ApiError e) {
            return e;
        }
        return cause instanceof InvalidEventException invalid ? ApiError.invalid(invalid.field(), invalid.reason()) : notTaken(cause);
    }

    /** The outcome of {@link #write}: {@code result}, or when {@code refused} is not null, that failure. */
    static AppendOutcome outcome(AppendResult result, Throwable refused, boolean indexed) {
        return refused == null ? outcome(result, indexed) : failed(refusal(refused));
    }

    /** {@link #appendAsync}, waited for: at most {@value #TIMEOUT_SECONDS} s, then an {@code unavailable} outcome. */
    AppendOutcome append(InetAddress address, Token token, AppendRequest request, EventNames names) {
        return await(appendAsync(address, token, request, names), AppendService::failed);
    }

    /** {@link #appendAsync(InetAddress, Token, TransactionRequest)}, waited for as {@link #append}. */
    TransactionOutcome append(InetAddress address, Token token, TransactionRequest request) {
        return await(appendAsync(address, token, request), WireTransactions::failed);
    }

    static <O> O await(CompletableFuture<O> append, Function<ApiError, O> failed) {
        try {
            return append.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) { // appendAsync completes normally; kept as an outcome all the same
            return failed.apply(notTaken(e.getCause()));
        } catch (TimeoutException e) {
            return failed.apply(ApiError.unavailable("the append was not durable within " + TIMEOUT_SECONDS
                + " s; it may still complete: retry with the same event_id"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return failed.apply(ApiError.unavailable("the server is stopping; retry with the same event_id"));
        }
    }

    /** Wakes what waits for appends, as after {@link #appendAsync}: for appends made elsewhere in the server. */
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

    /**
     * The one mapping of a ledger result to the wire: {@code Appended}, or the {@link Failure} of a
     * refusal; {@code indexed} (the append held several events) names a rule's field
     * {@code events[i].data.x}, else {@code data.x}.
     */
    static AppendOutcome outcome(AppendResult result, boolean indexed) {
        if (result instanceof AppendResult.Appended a) {
            return AppendOutcome.newBuilder().setAppended(Appended.newBuilder().setStream(a.stream())
                .setFirstGlobalSeq(a.firstGlobalSeq()).setLastGlobalSeq(a.lastGlobalSeq())
                .setFirstStreamVersion(a.firstStreamVersion()).setLastStreamVersion(a.lastStreamVersion())
                .setCount(a.count()).setDuplicate(a.duplicate())).build();
        }
        Failure.Builder f = Failure.newBuilder().setCode("FAILED_PRECONDITION");
        if (result instanceof AppendResult.WrongExpectedVersion w) {
            f.setError("wrong_expected_version").setField("expected_version").setStream(w.stream())
                .setMessage("stream " + w.stream() + " is at version " + describe(w.actualVersion()) + ", not "
                    + describe(w.expectedVersion()))
                .setExpectedVersion(w.expectedVersion()).setActualVersion(w.actualVersion());
        } else if (result instanceof AppendResult.RuleViolated v) {
            f.setError("rule_violated").setField((indexed ? "events[" + v.event() + "].data." : "data.") + v.field())
                .setMessage(v.message()).setStream(v.stream()).setEventIndex(v.event()).setRule(v.rule())
                .setCheckedStream(v.checkedStream()).setRequiredVersion(v.requiredVersion())
                .setActualVersion(v.actualVersion()).setWhy(v.why());
        } else {
            AppendResult.EventIdConflict c = (AppendResult.EventIdConflict) result;
            f.setError("event_id_conflict").setField("event_id").setStream(c.stream())
                .setMessage("event_id " + c.eventId() + " is already at global_seq " + c.existingGlobalSeq()
                    + " with other content: " + c.reason())
                .setEventId(c.eventId().toString()).setExistingGlobalSeq(c.existingGlobalSeq());
        }
        return AppendOutcome.newBuilder().setFailure(f).build();
    }

    /** How errors name an event's fields: {@code events[2].data.user_id}, or {@code data.user_id} for an append given as one event. */
    enum EventNames { INDEXED, BARE }

    /** A request refused before the ledger saw it, as an outcome. */
    static AppendOutcome failed(ApiError e) {
        return AppendOutcome.newBuilder().setFailure(e.failure).build();
    }

    /** The request's expected version as the ledger's long. */
    static long expectedVersion(AppendRequest request) {
        return WireTransactions.expectedVersion("", request);
    }

    private List<EventData> eventData(AppendRequest request, EventNames names) {
        if (request.getEventsCount() == 0) {
            throw ApiError.invalid("events", "is empty: give at least one event");
        }
        checkCount(request.getEventsCount());
        if (request.getEventsCount() == 1) { // most appends: no list to grow
            return List.of(NewEvents.eventData(request.getEvents(0), "", names == EventNames.BARE ? -1 : 0));
        }
        List<EventData> events = new ArrayList<>(request.getEventsCount());
        for (int i = 0; i < request.getEventsCount(); i++) {
            events.add(NewEvents.eventData(request.getEvents(i), "", names == EventNames.BARE ? -1 : i));
        }
        return events;
    }

    private static ApiError notTaken(Throwable cause) {
        return ApiError.unavailable("the ledger did not take the append: " + cause.getMessage() + "; retry with the same event_id");
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
