package dev.indelible.server.internal;

import dev.indelible.ledger.AppendResult;
import dev.indelible.server.api.AppendRequest;
import dev.indelible.server.api.AppendStreamRequest;
import dev.indelible.server.api.AppendStreamResponse;
import dev.indelible.server.api.AppendedColumns;
import dev.indelible.server.api.SingleEventColumns;
import dev.indelible.server.api.StreamedAppend;
import dev.indelible.server.api.StreamedOutcome;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * One {@code AppendStream} call: each append is made as it arrives and answered, naming its
 * correlation id, once durable or refused. Outcomes that are ready together go out as one
 * response: those ready when a request's appends are made (refusals, and every append when the
 * policy needs no sync) by the thread that made them, after the last; those a sync completes later
 * by {@code answers}, so that the syncing thread only queues them. The next request is read only
 * while fewer than {@link #IN_FLIGHT} appends are unanswered and the client reads its responses,
 * so a fast producer is held to the ledger's pace and one that never reads holds a bounded amount.
 */
final class GrpcAppendStream implements StreamObserver<AppendStreamRequest> {
    static final int IN_FLIGHT = 4_096;

    private final ServerCallStreamObserver<AppendStreamResponse> out;
    private final Appends append;
    private final Runnable authorize;
    private final Set<GrpcAppendStream> open;
    private final Executor answers;
    // Guarded by this.
    private AppendStreamResponse.Builder ready = AppendStreamResponse.newBuilder();
    private int readyCount;
    private boolean sending;
    private boolean taking; // a request's appends are being made: what is ready goes out after them
    private int unanswered;
    private boolean reading = true;
    private boolean clientDone;
    private boolean stopping;
    private boolean ended;

    /** Starts one append, as {@link AppendService#write}. */
    interface Appends {
        CompletableFuture<AppendResult> write(AppendRequest request);

        /** Append {@code i} of {@code columns}. */
        CompletableFuture<AppendResult> write(SingleEventColumns columns, int i);
    }

    /**
     * @param append    starts one append
     * @param authorize run once per request, before its appends: throws the 401 {@link ApiError}
     *                  of a revoked token, which ends the call
     * @param open      the server's open append streams: this one is in it until it ends
     */
    GrpcAppendStream(ServerCallStreamObserver<AppendStreamResponse> out,
                     Appends append, Runnable authorize,
                     Executor answers, Set<GrpcAppendStream> open) {
        this.out = out;
        this.append = append;
        this.authorize = authorize;
        this.answers = answers;
        this.open = open;
        open.add(this);
        out.disableAutoRequest();
        out.setOnReadyHandler(this::readMore);
        out.setOnCancelHandler(() -> {
            synchronized (this) {
                ended = true; // appends in flight still complete; the client resends them with their event ids
            }
            open.remove(this);
        });
        out.request(1);
    }

    @Override
    public void onNext(AppendStreamRequest request) {
        try {
            authorize.run();
        } catch (ApiError revoked) {
            end(revoked.grpcStatus());
            return;
        }
        synchronized (this) {
            unanswered += request.getAppendsCount() + request.getBatchCount() + request.getSingles().getStreamsCount();
            reading = false;
            taking = true;
        }
        boolean packed = request.getPackAppended();
        for (int i = 0; i < request.getAppendsCount(); i++) {
            StreamedAppend one = request.getAppends(i);
            take(one.getCorrelationId(), append.write(one.getAppend()), one.getAppend().getEventsCount() > 1, packed);
        }
        long next = request.getFirstCorrelationId();
        for (int i = 0; i < request.getBatchCount(); i++) {
            AppendRequest one = request.getBatch(i);
            take(next++, append.write(one), one.getEventsCount() > 1, packed);
        }
        SingleEventColumns singles = request.getSingles();
        for (int i = 0; i < singles.getStreamsCount(); i++) {
            take(next++, append.write(singles, i), false, packed);
        }
        boolean sendNow;
        synchronized (this) {
            taking = false;
            sendNow = readyCount > 0 && !sending;
            sending |= sendNow;
        }
        if (sendNow) {
            send();
        } else {
            readMore();
        }
    }

    /** Queues the answer to an append just made: now if it needs no sync, else when the sync completes it. */
    private void take(long correlation, CompletableFuture<AppendResult> written, boolean indexed, boolean packed) {
        if (written.isDone() && !written.isCompletedExceptionally()) { // no sync to wait for: no stage to add
            answer(correlation, packed, indexed, written.join(), null);
        } else {
            written.whenComplete((result, refused) -> answer(correlation, packed, indexed, result, refused));
        }
    }

    @Override
    public void onError(Throwable t) {
        synchronized (this) {
            ended = true; // the client went away
        }
        open.remove(this);
    }

    /** The server is stopping: reads no more, answers what it took, then ends with UNAVAILABLE (clients resend). */
    synchronized void stop() {
        stopping = true;
        completeIfDone();
    }

    @Override
    public synchronized void onCompleted() {
        clientDone = true;
        completeIfDone();
    }

    /** Queues the answer to one append: in the packed columns when the client reads them and it was stored. */
    private void answer(long correlation, boolean packed, boolean indexed, AppendResult result, Throwable refused) {
        synchronized (this) {
            if (packed && refused == null && result instanceof AppendResult.Appended a) {
                AppendedColumns.Builder columns = ready.getAppendedBuilder();
                if (a.duplicate()) {
                    columns.addDuplicates(columns.getCorrelationIdsCount());
                }
                columns.addCorrelationIds(correlation).addFirstGlobalSeqs(a.firstGlobalSeq())
                    .addFirstStreamVersions(a.firstStreamVersion()).addCounts(a.count());
            } else {
                ready.addOutcomes(StreamedOutcome.newBuilder().setCorrelationId(correlation)
                    .setOutcome(AppendService.outcome(result, refused, indexed)));
            }
            readyCount++;
            if (sending || taking) {
                return;
            }
            sending = true;
        }
        answers.execute(this::send);
    }

    /** Sends what is ready as one response, until nothing is. */
    private void send() {
        while (true) {
            synchronized (this) {
                if (readyCount == 0) {
                    sending = false;
                    completeIfDone();
                    break;
                }
                AppendStreamResponse response = ready.build();
                ready = AppendStreamResponse.newBuilder();
                unanswered -= readyCount;
                readyCount = 0;
                if (!ended) {
                    out.onNext(response);
                }
            }
        }
        readMore();
    }

    /** Reads the next request once there is room for its appends and the client reads its responses. */
    private synchronized void readMore() {
        if (!reading && !ended && !clientDone && !stopping && unanswered < IN_FLIGHT && out.isReady()) {
            reading = true;
            out.request(1);
        }
    }

    private void completeIfDone() {
        if (unanswered > 0 || sending || ended) {
            return;
        }
        if (clientDone) {
            ended = true;
            out.onCompleted();
            open.remove(this);
        } else if (stopping) {
            end(Status.UNAVAILABLE.withDescription("the server is stopping; send the rest again (with their event ids) when it is back"));
        }
    }

    private synchronized void end(Status status) {
        if (!ended) {
            ended = true;
            out.onError(status.asRuntimeException());
            open.remove(this);
        }
    }
}
