package dev.indelible.server;

import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.DaemonThreads;
import dev.indelible.ledger.EventData;
import dev.indelible.server.api.AppendOutcome;
import dev.indelible.server.api.AppendRequest;
import dev.indelible.server.api.AppendStreamRequest;
import dev.indelible.server.api.AppendStreamResponse;
import dev.indelible.server.api.AppendedColumns;
import dev.indelible.server.api.LedgerServiceGrpc;
import dev.indelible.server.api.StreamedAppend;
import dev.indelible.server.internal.AppendForms;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.MetadataUtils;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The client side of {@code AppendStream}: one call shared by every thread of a client, at most
 * {@code window} appends unanswered (a caller beyond that waits). Callers only queue their append;
 * one thread sends everything queued as one request (up to {@value #BATCH_BYTES} bytes). It sends
 * once as many appends are queued as the server still has to answer, or a full request's worth:
 * an append made when nothing is in flight goes at once, and under load the appends made while
 * the server works on one request make the next, so each request carries hundreds rather than a
 * few (every request and response costs both sides far more than an append in it). A request
 * carries its appends in {@code batch}, or when each is one event without metadata (most are) in
 * the {@code singles} columns, their correlation ids implied by the first: no message per append
 * to build and parse, or none at all for a single; that is, once the call's headers say the server
 * makes those forms ({@link AppendForms}): before, and on a server that never says so (one from
 * before them, which would leave them unanswered), each append goes as a {@code StreamedAppend}.
 * When the call fails with
 * UNAVAILABLE (the server restarted, the connection dropped), a new call resends every unanswered
 * append in order with its event ids, so the ledger answers those already stored as duplicates;
 * an append unanswered after {@code deliveryTimeoutNanos} fails. Thread-safe.
 */
final class AppendPipeline implements AutoCloseable {
    private static final long RESEND_PAUSE_MILLIS = 200;
    static final int BATCH_BYTES = 256 * 1024;
    private final LedgerServiceGrpc.LedgerServiceStub stub;
    private final Semaphore window;
    private final long deliveryTimeoutNanos;
    // Sends requests, resends after a failure and expires appends left unanswered.
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("indelible-client-appends"));
    // Guarded by this.
    private final PendingAppends<Pending> pending;
    private Observer call; // the open call, null before the first append and after it ended
    private final ArrayDeque<Pending> outbox = new ArrayDeque<>();
    private int outboxBytes;
    private boolean sendScheduled;
    private long nextCorrelation;
    private boolean closed;
    private boolean resendScheduled; // appends wait in pending, to go out in order on the next call

    /**
     * An append sent and not answered yet: {@code request}, or when that is null the one event
     * {@code single} at {@code wireVersion}; {@code expectedVersion} as the caller gave it, for its result.
     */
    private record Pending(long correlation, String stream, AppendRequest request, EventData single, long wireVersion,
                           int bytes, long expectedVersion, CompletableFuture<AppendResult> outcome, long deadline) {
    }

    AppendPipeline(LedgerServiceGrpc.LedgerServiceStub stub, int window, long deliveryTimeoutNanos) {
        this.stub = stub.withWaitForReady(); // a new call waits for the server to come back instead of failing
        this.window = new Semaphore(window);
        this.pending = new PendingAppends<>(2 * window, Pending::correlation);
        this.deliveryTimeoutNanos = deliveryTimeoutNanos;
        worker.scheduleWithFixedDelay(this::expire, 1, 1, TimeUnit.SECONDS);
    }

    /**
     * Sends {@code request} ({@code bytes} serialized); waits while the window is full. The future
     * completes as {@code IndelibleClient.appendAsync}'s.
     */
    CompletableFuture<AppendResult> send(AppendRequest request, int bytes, long expectedVersion) {
        return send(request.getStream(), request, null, bytes, expectedVersion, expectedVersion);
    }

    /**
     * Sends one event without metadata, as {@link #send(AppendRequest, int, long)}: in a request's
     * {@code singles} columns, built on the sending thread, so the caller builds no message at all.
     */
    CompletableFuture<AppendResult> send(String stream, EventData event, long expectedVersion) {
        return send(stream, null, event, SingleColumns.bytes(stream, event), expectedVersion,
            SingleColumns.wireVersion(expectedVersion));
    }

    private CompletableFuture<AppendResult> send(String stream, AppendRequest request, EventData single, int bytes,
                                                 long expectedVersion, long wireVersion) {
        try {
            window.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CompletableFuture.failedFuture(new IndelibleClient.RequestFailedException("CANCELLED", "",
                "interrupted while waiting for room among the appends in flight"));
        }
        CompletableFuture<AppendResult> outcome = new CompletableFuture<>();
        long deadline = System.nanoTime() + deliveryTimeoutNanos;
        synchronized (this) {
            if (closed) {
                window.release();
                return CompletableFuture.failedFuture(new IllegalStateException("the client is closed"));
            }
            Pending p = new Pending(nextCorrelation++, stream, request, single, wireVersion, bytes, expectedVersion, outcome,
                deadline);
            pending.add(p);
            queue(p);
            scheduleSend();
        }
        return outcome;
    }

    /** Under the lock. */
    private void queue(Pending p) {
        outbox.add(p);
        outboxBytes += p.bytes;
    }

    /** Under the lock: whether the queue makes a request now (see the class comment). */
    private boolean dueToSend() {
        return !outbox.isEmpty() && !resendScheduled
            && (call == null || outbox.size() >= call.unanswered() || outboxBytes >= BATCH_BYTES);
    }

    /** Under the lock. */
    private void scheduleSend() {
        if (!sendScheduled && dueToSend()) {
            sendScheduled = true;
            worker.execute(this::sendQueued);
        }
    }

    /** Sends what is queued, a request at a time, in the order of the calls. */
    private void sendQueued() {
        while (true) {
            synchronized (this) {
                if (!dueToSend()) {
                    sendScheduled = false;
                    return;
                }
                Observer on = open();
                boolean columns = on.columns();
                AppendStreamRequest.Builder request = null;
                int bytes = 0;
                while (!outbox.isEmpty() && bytes < BATCH_BYTES) {
                    Pending p = outbox.poll();
                    outboxBytes -= p.bytes;
                    if (p.outcome.isDone()) { // expired while queued
                        continue;
                    }
                    if (request != null && columns && !followsOn(request, p)) {
                        write(on, request);
                        request = null;
                    }
                    if (request == null) {
                        request = AppendStreamRequest.newBuilder().setPackAppended(true).setFirstCorrelationId(p.correlation);
                    }
                    add(request, p, columns);
                    bytes += p.bytes;
                }
                if (request != null) {
                    write(on, request);
                }
            }
        }
    }

    /**
     * Whether {@code p} can join {@code request}'s columns: the ids of a request follow on, and its
     * appends are all in batch or all in singles, so a gap (answered before a resend) or the other
     * kind starts another.
     */
    private static boolean followsOn(AppendStreamRequest.Builder request, Pending p) {
        return p.correlation == request.getFirstCorrelationId() + count(request)
            && (p.single == null) == (request.getBatchCount() > 0);
    }

    /** Adds {@code p} in {@code batch} or {@code singles}, or when the server has not said it makes those, in {@code appends}. */
    private static void add(AppendStreamRequest.Builder request, Pending p, boolean columns) {
        if (!columns) {
            request.addAppends(StreamedAppend.newBuilder().setCorrelationId(p.correlation).setAppend(p.single == null
                ? p.request : ClientWire.request(p.stream, p.expectedVersion, List.of(p.single))));
        } else if (p.single == null) {
            request.addBatch(p.request);
        } else {
            SingleColumns.add(request.getSinglesBuilder(), p.stream, p.wireVersion, p.single);
        }
    }

    private static int count(AppendStreamRequest.Builder request) {
        return request.getAppendsCount() + request.getBatchCount() + request.getSinglesBuilder().getStreamsCount();
    }

    /** Under the lock. */
    private void write(Observer on, AppendStreamRequest.Builder request) {
        on.sent += count(request);
        on.requests.onNext(request.build());
    }

    /** Under the lock: the call, opened if need be. */
    private Observer open() {
        if (call == null) {
            call = new Observer();
            stub.withInterceptors(MetadataUtils.newCaptureMetadataInterceptor(call.headers, new AtomicReference<>()))
                .appendStream(call);
        }
        return call;
    }

    private final class Observer implements ClientResponseObserver<AppendStreamRequest, AppendStreamResponse> {
        ClientCallStreamObserver<AppendStreamRequest> requests;
        final AtomicReference<Metadata> headers = new AtomicReference<>(); // the server's, once they came
        // Guarded by the pipeline: whether the headers came, and named the columns.
        private boolean formsKnown;
        private boolean columns;
        // Guarded by the pipeline: appends sent on this call, and outcomes received on it.
        long sent;
        long answered;

        /** Under the lock: whether to send in the columns ({@link AppendForms}); in {@code appends} until the headers come. */
        boolean columns() {
            Metadata came = headers.get();
            if (!formsKnown && came != null) {
                formsKnown = true;
                columns = AppendForms.columns(came);
            }
            return columns;
        }

        /** Appends the server took on this call and has not answered yet. */
        long unanswered() {
            return sent - answered;
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<AppendStreamRequest> requests) {
            this.requests = requests;
        }

        @Override
        public void onNext(AppendStreamResponse response) {
            AppendedColumns appended = response.getAppended();
            int stored = appended.getCorrelationIdsCount();
            // answers[i] is null when answered twice: on the call before a resend and on the next
            Pending[] answers = new Pending[stored + response.getOutcomesCount()];
            synchronized (AppendPipeline.this) {
                answered += answers.length;
                for (int i = 0; i < stored; i++) {
                    answers[i] = pending.remove(appended.getCorrelationIds(i));
                }
                for (int i = 0; i < response.getOutcomesCount(); i++) {
                    answers[stored + i] = pending.remove(response.getOutcomes(i).getCorrelationId());
                }
                scheduleSend(); // the server caught up: what is queued may be due
            }
            int released = 0;
            for (int i = 0, d = 0; i < stored; i++) {
                boolean duplicate = d < appended.getDuplicatesCount() && appended.getDuplicates(d) == i;
                d += duplicate ? 1 : 0;
                Pending p = answers[i];
                if (p != null) {
                    released++;
                    p.outcome.complete(new AppendResult.Appended(p.stream, appended.getFirstGlobalSeqs(i),
                        appended.getFirstStreamVersions(i), appended.getCounts(i), duplicate));
                }
            }
            for (int i = 0; i < response.getOutcomesCount(); i++) {
                Pending p = answers[stored + i];
                if (p != null) {
                    released++;
                    complete(p, response.getOutcomes(i).getOutcome());
                }
            }
            window.release(released);
        }

        private void complete(Pending p, AppendOutcome outcome) {
            AppendResult result;
            try {
                result = ClientWire.result(p.stream, p.expectedVersion, outcome);
            } catch (RuntimeException refused) { // invalid input, a permission, ...
                p.outcome.completeExceptionally(refused);
                return;
            }
            p.outcome.complete(result);
        }

        @Override
        public void onError(Throwable t) {
            ended(Status.fromThrowable(t));
        }

        @Override
        public void onCompleted() {
            ended(Status.UNAVAILABLE.withDescription("the server ended the append stream"));
        }

        private void ended(Status status) {
            synchronized (AppendPipeline.this) {
                if (call != this) {
                    return;
                }
                call = null;
                if (status.getCode() == Status.Code.UNAVAILABLE) {
                    // a pause, so that a server answering UNAVAILABLE at once (stopping) is not asked in a loop
                    resendScheduled = true;
                    worker.schedule(AppendPipeline.this::resendAll, RESEND_PAUSE_MILLIS, TimeUnit.MILLISECONDS);
                    return;
                }
            }
            failAll(new IndelibleClient.RequestFailedException(status.getCode().name(), "",
                status.getDescription() == null ? "the append stream ended" : status.getDescription()));
        }
    }

    /** Every unanswered append again, in order, on a new call. */
    private synchronized void resendAll() {
        resendScheduled = false;
        outbox.clear();
        outboxBytes = 0;
        pending.inOrder().forEach(this::queue); // in correlation order: the order of the calls
        scheduleSend();
    }

    private void failAll(RuntimeException why) {
        List<Pending> failed;
        synchronized (this) {
            failed = pending.removeIf(p -> true);
        }
        fail(failed, why);
    }

    private void fail(List<Pending> failed, RuntimeException why) {
        window.release(failed.size());
        failed.forEach(p -> p.outcome.completeExceptionally(why));
    }

    private void expire() {
        long now = System.nanoTime();
        List<Pending> expired;
        synchronized (this) {
            expired = pending.removeIf(p -> now - p.deadline > 0);
        }
        if (!expired.isEmpty()) {
            fail(expired, new IndelibleClient.RequestFailedException("DEADLINE_EXCEEDED", "",
                "no answer within " + TimeUnit.NANOSECONDS.toSeconds(deliveryTimeoutNanos)
                    + " s; it may still be stored: retry with the same event_id"));
        }
    }

    /** Refuses new appends, waits (up to the delivery timeout) for those in flight, then ends the call. */
    @Override
    public void close() {
        CompletableFuture<?>[] inFlight;
        synchronized (this) {
            closed = true;
            inFlight = pending.inOrder().stream().map(Pending::outcome).toArray(CompletableFuture[]::new);
        }
        long deadline = System.nanoTime() + deliveryTimeoutNanos;
        try {
            CompletableFuture.allOf(inFlight).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (Exception e) {
            // failed or still unanswered: failAll below says so to their callers
        }
        synchronized (this) {
            if (call != null) {
                call.requests.onCompleted();
                call = null;
            }
        }
        failAll(new IllegalStateException("the client was closed before the server answered"));
        worker.shutdownNow();
    }
}
