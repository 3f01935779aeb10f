package dev.indelible.server.internal;

import dev.indelible.ledger.AppendResult;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
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
    private final Function<AppendRequest, CompletableFuture<AppendResult.Appended>> append;
    private final Executor answers;
    // Guarded by this.
    private List<StreamedOutcome> ready = new ArrayList<>();
    private boolean sending;
    private int unanswered;
    private boolean reading = true;
    private boolean clientDone;
    private boolean stopping;
    private boolean ended;
    private final Runnable onEnd;

    /** @param append starts one append; throws the {@link ApiError} of a refusal it can tell at once */
    GrpcAppendStream(ServerCallStreamObserver<AppendStreamResponse> out,
                     Function<AppendRequest, CompletableFuture<AppendResult.Appended>> append, Executor answers,
                     Runnable onEnd) {
        this.out = out;
        this.onEnd = onEnd;
        this.append = append;
        this.answers = answers;
        out.disableAutoRequest();
        out.setOnReadyHandler(this::readMore);
        out.setOnCancelHandler(() -> {
            synchronized (this) {
                ended = true; // appends in flight still complete; the client resends them with their event ids
            }
            onEnd.run();
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
                append.apply(one.getAppend()).whenComplete((a, failure) ->
                    answer(correlation, a != null ? GrpcApi.outcome(a) : GrpcApi.outcome(apiError(failure))));
            } catch (ApiError e) {
                if (e.status == 401) {
                    end(GrpcApi.status(e));
                    return;
                }
                answer(correlation, GrpcApi.outcome(e));
            }
        }
        readMore();
    }

    @Override
    public void onError(Throwable t) {
        synchronized (this) {
            ended = true; // the client went away
        }
        onEnd.run();
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
            onEnd.run();
        } else if (stopping) {
            end(Status.UNAVAILABLE.withDescription("the server is stopping; send the rest again (with their event ids) when it is back"));
        }
    }

    private synchronized void end(Status status) {
        if (!ended) {
            ended = true;
            out.onError(status.asRuntimeException());
            onEnd.run();
        }
    }

    private static ApiError apiError(Throwable failure) {
        Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
        return cause instanceof ApiError api ? api
            : new ApiError(503, "unavailable", null, "the append failed: " + cause + "; retry with the same event_id");
    }
}
