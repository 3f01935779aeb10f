package dev.indelible.server.internal;

import dev.indelible.server.api.AppendOutcome;
import dev.indelible.server.api.AppendRequest;
import dev.indelible.server.api.AppendStreamRequest;
import dev.indelible.server.api.AppendStreamResponse;
import dev.indelible.server.api.StreamedAppend;
import dev.indelible.server.api.StreamedOutcome;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * One {@code AppendStream} call: each append is made as it arrives and answered, naming its
 * correlation id, once durable or refused. Outcomes that are ready together go out as one
 * response, sent by {@code answers} so that the thread completing appends (a sync) only queues
 * them. The next request is read only while fewer than {@link #IN_FLIGHT} appends are unanswered
 * and the client reads its responses, so a fast producer is held to the ledger's pace and one
 * that never reads holds a bounded amount.
 */
final class GrpcAppendStream implements StreamObserver<AppendStreamRequest> {
    static final int IN_FLIGHT = 4_096;

    private final ServerCallStreamObserver<AppendStreamResponse> out;
    private final Function<AppendRequest, CompletableFuture<AppendOutcome>> append;
    private final Set<GrpcAppendStream> open;
    private final Executor answers;
    // Guarded by this.
    private List<StreamedOutcome> ready = new ArrayList<>();
    private boolean sending;
    private int unanswered;
    private boolean reading = true;
    private boolean clientDone;
    private boolean stopping;
    private boolean ended;

    /**
     * @param append starts one append; its future always completes with the outcome; it throws
     *               the 401 {@link ApiError} of a revoked token, which ends the call
     * @param open   the server's open append streams: this one is in it until it ends
     */
    GrpcAppendStream(ServerCallStreamObserver<AppendStreamResponse> out,
                     Function<AppendRequest, CompletableFuture<AppendOutcome>> append, Executor answers,
                     Set<GrpcAppendStream> open) {
        this.out = out;
        this.append = append;
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
        synchronized (this) {
            unanswered += request.getAppendsCount();
            reading = false;
        }
        for (StreamedAppend one : request.getAppendsList()) {
            long correlation = one.getCorrelationId();
            try {
                append.apply(one.getAppend()).thenAccept(outcome -> answer(correlation, outcome));
            } catch (ApiError revoked) {
                end(revoked.grpcStatus());
                return;
            }
        }
        readMore();
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

    private void answer(long correlation, AppendOutcome outcome) {
        synchronized (this) {
            ready.add(StreamedOutcome.newBuilder().setCorrelationId(correlation).setOutcome(outcome).build());
            if (sending) {
                return;
            }
            sending = true;
        }
        answers.execute(this::send);
    }

    /** Sends what is ready as one response, until nothing is. */
    private void send() {
        while (true) {
            List<StreamedOutcome> batch;
            synchronized (this) {
                if (ready.isEmpty()) {
                    sending = false;
                    completeIfDone();
                    break;
                }
                batch = ready;
                ready = new ArrayList<>();
                unanswered -= batch.size();
                if (!ended) {
                    out.onNext(AppendStreamResponse.newBuilder().addAllOutcomes(batch).build());
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
