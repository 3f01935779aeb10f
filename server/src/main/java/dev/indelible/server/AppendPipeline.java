package dev.indelible.server;

import dev.indelible.ledger.DaemonThreads;
import dev.indelible.server.api.AppendOutcome;
import dev.indelible.server.api.AppendRequest;
import dev.indelible.server.api.AppendStreamRequest;
import dev.indelible.server.api.AppendStreamResponse;
import dev.indelible.server.api.LedgerServiceGrpc;
import dev.indelible.server.api.StreamedAppend;
import dev.indelible.server.api.StreamedOutcome;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The client side of {@code AppendStream}: one call shared by every thread of a client, at most
 * {@code window} appends unanswered (a caller beyond that waits). Callers only queue their append;
 * one thread sends everything queued as one request (up to {@value #BATCH_BYTES} bytes), so appends
 * made while a request goes out share the next one, with no wait added. When the call fails with
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
    private final Map<Long, Pending> pending = new ConcurrentSkipListMap<>();
    // Sends requests, resends after a failure and expires appends left unanswered.
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("indelible-client-appends"));
    // Guarded by this.
    private ClientCallStreamObserver<AppendStreamRequest> call;
    private final ArrayDeque<Long> outbox = new ArrayDeque<>();
    private boolean sendScheduled;
    private long nextCorrelation;
    private boolean closed;
    private boolean resendScheduled; // appends wait in pending, to go out in order on the next call

    private record Pending(AppendRequest request, CompletableFuture<AppendOutcome> outcome, long deadline) {
    }

    AppendPipeline(LedgerServiceGrpc.LedgerServiceStub stub, int window, long deliveryTimeoutNanos) {
        this.stub = stub.withWaitForReady(); // a new call waits for the server to come back instead of failing
        this.window = new Semaphore(window);
        this.deliveryTimeoutNanos = deliveryTimeoutNanos;
        worker.scheduleWithFixedDelay(this::expire, 1, 1, TimeUnit.SECONDS);
    }

    /** Sends {@code request}; waits while the window is full. */
    CompletableFuture<AppendOutcome> send(AppendRequest request) {
        try {
            window.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CompletableFuture.failedFuture(new IndelibleClient.RequestFailedException("CANCELLED", "",
                "interrupted while waiting for room among the appends in flight"));
        }
        Pending p = new Pending(request, new CompletableFuture<>(), System.nanoTime() + deliveryTimeoutNanos);
        synchronized (this) {
            if (closed) {
                window.release();
                return CompletableFuture.failedFuture(new IllegalStateException("the client is closed"));
            }
            long correlation = nextCorrelation++;
            pending.put(correlation, p);
            outbox.add(correlation);
            scheduleSend();
        }
        return p.outcome;
    }

    /** Under the lock. */
    private void scheduleSend() {
        if (!sendScheduled && !resendScheduled) {
            sendScheduled = true;
            worker.execute(this::sendQueued);
        }
    }

    /** Sends what is queued, a request at a time, in the order of the calls. */
    private void sendQueued() {
        while (true) {
            synchronized (this) {
                if (outbox.isEmpty() || resendScheduled) {
                    sendScheduled = false;
                    return;
                }
                AppendStreamRequest.Builder request = AppendStreamRequest.newBuilder();
                int bytes = 0;
                while (!outbox.isEmpty() && bytes < BATCH_BYTES) {
                    long correlation = outbox.poll();
                    Pending p = pending.get(correlation);
                    if (p != null) { // else expired while queued
                        request.addAppends(StreamedAppend.newBuilder().setCorrelationId(correlation).setAppend(p.request));
                        bytes += p.request.getSerializedSize();
                    }
                }
                if (request.getAppendsCount() > 0) {
                    open().onNext(request.build());
                }
            }
        }
    }

    private ClientCallStreamObserver<AppendStreamRequest> open() {
        if (call == null) {
            Observer observer = new Observer();
            stub.appendStream(observer);
            call = observer.requests;
        }
        return call;
    }

    private final class Observer implements ClientResponseObserver<AppendStreamRequest, AppendStreamResponse> {
        ClientCallStreamObserver<AppendStreamRequest> requests;

        @Override
        public void beforeStart(ClientCallStreamObserver<AppendStreamRequest> requests) {
            this.requests = requests;
        }

        @Override
        public void onNext(AppendStreamResponse response) {
            for (StreamedOutcome answer : response.getOutcomesList()) {
                Pending p = pending.remove(answer.getCorrelationId());
                if (p != null) { // else answered twice, on the call before a resend and on the next
                    window.release();
                    p.outcome.complete(answer.getOutcome());
                }
            }
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
                if (call != requests) {
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
        outbox.addAll(pending.keySet()); // in correlation order: the order of the calls
        scheduleSend();
    }

    private void failAll(RuntimeException why) {
        pending.keySet().forEach(correlation -> fail(correlation, why));
    }

    private void fail(long correlation, RuntimeException why) {
        Pending p = pending.remove(correlation);
        if (p != null) {
            window.release();
            p.outcome.completeExceptionally(why);
        }
    }

    private void expire() {
        long now = System.nanoTime();
        pending.forEach((correlation, p) -> {
            if (now - p.deadline > 0) {
                fail(correlation, new IndelibleClient.RequestFailedException("DEADLINE_EXCEEDED", "",
                    "no answer within " + TimeUnit.NANOSECONDS.toSeconds(deliveryTimeoutNanos)
                        + " s; it may still be stored: retry with the same event_id"));
            }
        });
    }

    /** Refuses new appends, waits (up to the delivery timeout) for those in flight, then ends the call. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        long deadline = System.nanoTime() + deliveryTimeoutNanos;
        CompletableFuture<?>[] inFlight = pending.values().stream().map(Pending::outcome).toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(inFlight).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (Exception e) {
            // failed or still unanswered: failAll below says so to their callers
        }
        synchronized (this) {
            if (call != null) {
                call.onCompleted();
                call = null;
            }
        }
        failAll(new IllegalStateException("the client was closed before the server answered"));
        worker.shutdownNow();
    }
}
