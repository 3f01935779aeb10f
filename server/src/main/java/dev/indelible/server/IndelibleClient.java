package dev.indelible.server;

import com.google.protobuf.ByteString;
import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.ContentType;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.EventId;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.InvalidEventException;
import dev.indelible.ledger.RecordedEvent;
import dev.indelible.server.api.AppendBatchRequest;
import dev.indelible.server.api.AppendOutcome;
import dev.indelible.server.api.AppendRequest;
import dev.indelible.server.api.Event;
import dev.indelible.server.api.Expect;
import dev.indelible.server.api.Failure;
import dev.indelible.server.api.LedgerServiceGrpc;
import dev.indelible.server.api.NewEvent;
import dev.indelible.server.api.ReadRequest;
import dev.indelible.server.api.StreamPosition;
import dev.indelible.server.api.SubscribeRequest;
import io.grpc.CallCredentials;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The ledger of an {@code indelible serve} over gRPC, with the embedded API's types: appends answer
 * {@link AppendResult} (a wrong expected version or a conflicting id is a result, not an
 * exception), bad input throws {@link InvalidEventException} naming the field, reads return
 * {@link RecordedEvent}s. Other failures throw {@link RequestFailedException}.
 *
 * <pre>{@code
 * try (IndelibleClient ledger = IndelibleClient.connect("127.0.0.1", 7172, token)) {
 *     AppendResult r = ledger.append("selfies-user-7", ExpectedVersion.ANY, List.of(event));
 * }
 * }</pre>
 *
 * <p>Thread-safe; one client per process is enough (calls share one HTTP/2 connection).
 */
public final class IndelibleClient implements AutoCloseable {
    private final ManagedChannel channel;
    private final LedgerServiceGrpc.LedgerServiceBlockingStub blocking;
    private static final int APPENDS_IN_FLIGHT = 4_096;
    private static final long DELIVERY_TIMEOUT_NANOS = TimeUnit.MINUTES.toNanos(2);
    private final LedgerServiceGrpc.LedgerServiceStub async;
    private AppendPipeline pipeline; // guarded by this; made at the first appendAsync

    private IndelibleClient(ManagedChannel channel, String token) {
        this.channel = channel;
        CallCredentials bearer = new Bearer(token);
        this.blocking = LedgerServiceGrpc.newBlockingStub(channel).withCallCredentials(bearer);
        this.async = LedgerServiceGrpc.newStub(channel).withCallCredentials(bearer);
    }

    /** Connects in plain text (the server binds loopback unless told otherwise). */
    public static IndelibleClient connect(String host, int port, String token) {
        return new IndelibleClient(NettyChannelBuilder.forAddress(host, port).usePlaintext().build(), token);
    }

    /** Connects over TLS, trusting the certificates in the PEM file {@code trusted} (e.g. the server's own). */
    public static IndelibleClient connectTls(String host, int port, String token, java.nio.file.Path trusted) {
        try {
            return new IndelibleClient(NettyChannelBuilder.forAddress(host, port)
                .sslContext(io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts.forClient().trustManager(trusted.toFile()).build())
                .build(), token);
        } catch (javax.net.ssl.SSLException e) {
            throw new IllegalArgumentException("trusted: cannot use " + trusted + ": " + e.getMessage(), e);
        }
    }

    public AppendResult append(String stream, long expectedVersion, List<EventData> events) {
        AppendRequest request = request(stream, expectedVersion, events);
        AppendOutcome outcome = call(() -> blocking.appendBatch(AppendBatchRequest.newBuilder().addAppends(request).build()))
            .getOutcomes(0);
        return result(stream, expectedVersion, outcome);
    }

    /**
     * Sends the append and returns at once; the future completes when the server has made it
     * durable (or refused it) with the {@link AppendResult} {@link #append} would return, or fails
     * with {@link InvalidEventException} or {@link RequestFailedException}. Every thread's appends
     * share one {@code AppendStream} call, at most 4,096 in flight (a caller beyond that waits), so
     * one server sync covers many. Appends go out in the order of the calls; a refusal may be
     * answered before appends sent earlier. If the connection drops or the server restarts, the
     * unanswered appends are sent again, in order, with their event ids (those already stored answer
     * {@code duplicate}); one still unanswered after two minutes fails with DEADLINE_EXCEEDED. An
     * append over 256 KiB goes as a call of its own, not ordered with the others.
     */
    public CompletableFuture<AppendResult> appendAsync(String stream, long expectedVersion, List<EventData> events) {
        AppendRequest request = request(stream, expectedVersion, events);
        CompletableFuture<AppendOutcome> outcome = request.getSerializedSize() > AppendPipeline.BATCH_BYTES ? alone(request)
            : pipeline().send(request);
        return outcome.thenApply(o -> result(stream, expectedVersion, o));
    }

    private CompletableFuture<AppendOutcome> alone(AppendRequest request) {
        CompletableFuture<AppendOutcome> outcome = new CompletableFuture<>();
        async.appendBatch(AppendBatchRequest.newBuilder().addAppends(request).build(), new StreamObserver<>() {
            @Override
            public void onNext(dev.indelible.server.api.AppendBatchResponse response) {
                outcome.complete(response.getOutcomes(0));
            }

            @Override
            public void onError(Throwable t) {
                outcome.completeExceptionally(t instanceof StatusRuntimeException e ? failure(e) : t);
            }

            @Override
            public void onCompleted() {
            }
        });
        return outcome;
    }

    public CompletableFuture<AppendResult> appendAsync(String stream, long expectedVersion, EventData event) {
        return appendAsync(stream, expectedVersion, List.of(event));
    }

    private synchronized AppendPipeline pipeline() {
        if (pipeline == null) {
            pipeline = new AppendPipeline(async, APPENDS_IN_FLIGHT, DELIVERY_TIMEOUT_NANOS);
        }
        return pipeline;
    }

    private static AppendRequest request(String stream, long expectedVersion, List<EventData> events) {
        AppendRequest.Builder request = AppendRequest.newBuilder().setStream(stream);
        if (expectedVersion >= 0) {
            request.setExpectedVersion(expectedVersion);
        } else {
            request.setExpect(expectedVersion == ExpectedVersion.NO_STREAM ? Expect.NO_STREAM
                : expectedVersion == ExpectedVersion.STREAM_EXISTS ? Expect.STREAM_EXISTS : Expect.ANY);
        }
        events.forEach(e -> request.addEvents(newEvent(e)));
        return request.build();
    }

    /** An outcome as the embedded API's result; an invalid append or another failure throws. */
    private static AppendResult result(String stream, long expectedVersion, AppendOutcome outcome) {
        if (outcome.hasAppended()) {
            var a = outcome.getAppended();
            return new AppendResult.Appended(a.getStream(), a.getFirstGlobalSeq(), a.getFirstStreamVersion(), a.getCount(),
                a.getDuplicate());
        }
        Failure f = outcome.getFailure();
        return switch (f.getError()) {
            case "wrong_expected_version" -> new AppendResult.WrongExpectedVersion(stream, expectedVersion, f.getActualVersion());
            case "event_id_conflict" -> new AppendResult.EventIdConflict(stream, EventId.parse(f.getEventId()),
                f.getExistingGlobalSeq(), f.getMessage());
            case "rule_violated" -> new AppendResult.RuleViolated(stream, f.getEventIndex(), f.getRule(),
                f.getField().replaceFirst("^(events\\[\\d+]\\.)?data\\.", ""),
                f.getCheckedStream(), f.getRequiredVersion(), f.getActualVersion(), f.getWhy());
            case "invalid_argument" -> throw new InvalidEventException(f.getField(), f.getMessage());
            default -> throw new RequestFailedException(f.getCode(), f.getField(), f.getMessage());
        };
    }

    public AppendResult append(String stream, long expectedVersion, EventData event) {
        return append(stream, expectedVersion, List.of(event));
    }

    /** Events from {@code fromGlobalSeq} that the token may read, at most {@code limit}. */
    public List<RecordedEvent> read(long fromGlobalSeq, int limit) {
        return collect(ReadRequest.newBuilder().setFromGlobalSeq(fromGlobalSeq).setLimit(limit).build());
    }

    public List<RecordedEvent> readStream(String stream, long fromVersion, int limit) {
        return collect(ReadRequest.newBuilder().setStream(StreamPosition.newBuilder().setStream(stream).setFromVersion(fromVersion))
            .setLimit(limit).build());
    }

    /**
     * Catches up from {@code fromGlobalSeq}, then follows; {@code handler} runs on a gRPC thread,
     * one event at a time. {@code onEnd} receives the error that ended it (a stopped server:
     * subscribe again from the last global_seq + 1). Close the result to stop.
     */
    public AutoCloseable subscribe(long fromGlobalSeq, Consumer<RecordedEvent> handler, Consumer<Throwable> onEnd) {
        Context.CancellableContext context = Context.current().withCancellation();
        context.run(() -> async.subscribe(SubscribeRequest.newBuilder().setFromGlobalSeq(fromGlobalSeq).build(),
            new StreamObserver<>() {
                @Override
                public void onNext(Event event) {
                    handler.accept(recorded(event));
                }

                @Override
                public void onError(Throwable t) {
                    onEnd.accept(t);
                }

                @Override
                public void onCompleted() {
                    onEnd.accept(null);
                }
            }));
        return () -> context.cancel(null);
    }

    /** Waits for the appends in flight (up to their delivery timeout), then closes the connection. */
    @Override
    public void close() {
        AppendPipeline appends;
        synchronized (this) {
            appends = pipeline;
        }
        if (appends != null) {
            appends.close();
        }
        channel.shutdown();
        try {
            if (!channel.awaitTermination(10, TimeUnit.SECONDS)) {
                channel.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            channel.shutdownNow();
        }
    }

    /** A request the server refused or could not answer: its gRPC status code, the field at fault and why. */
    public static final class RequestFailedException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final String code;
        private final String field;

        public RequestFailedException(String code, String field, String message) {
            super(code + (field == null || field.isEmpty() ? "" : " (" + field + ")") + ": " + message);
            this.code = code;
            this.field = field;
        }

        /** The gRPC status code name, e.g. UNAUTHENTICATED. */
        public String code() {
            return code;
        }

        public String field() {
            return field;
        }
    }

    private List<RecordedEvent> collect(ReadRequest request) {
        return call(() -> {
            List<RecordedEvent> events = new ArrayList<>();
            Iterator<Event> it = blocking.read(request);
            it.forEachRemaining(e -> events.add(recorded(e)));
            return events;
        });
    }

    private static <T> T call(java.util.function.Supplier<T> call) {
        try {
            return call.get();
        } catch (StatusRuntimeException e) {
            throw failure(e);
        }
    }

    /** A gRPC status as the embedded API's exceptions: INVALID_ARGUMENT names its field. */
    private static RuntimeException failure(StatusRuntimeException e) {
        Status status = e.getStatus();
        String description = status.getDescription() == null ? "" : status.getDescription();
        int colon = description.indexOf(": ");
        String field = colon > 0 && !description.substring(0, colon).contains(" ") ? description.substring(0, colon) : "";
        if (status.getCode() == Status.Code.INVALID_ARGUMENT) {
            return new InvalidEventException(field, description.substring(field.isEmpty() ? 0 : colon + 2));
        }
        return new RequestFailedException(status.getCode().name(), field, description);
    }

    private static NewEvent newEvent(EventData e) {
        NewEvent.Builder event = NewEvent.newBuilder().setType(e.type()).setEventId(e.eventId().toString())
            .setContentType(e.contentType() == ContentType.JSON ? dev.indelible.server.api.ContentType.JSON
                : dev.indelible.server.api.ContentType.PROTOBUF)
            .setPayload(ByteString.copyFrom(e.payload()));
        return event.putAllMetadata(e.metadata()).build();
    }

    private static RecordedEvent recorded(Event e) {
        return new RecordedEvent(e.getGlobalSeq(), e.getStream(), e.getStreamVersion(), EventId.parse(e.getEventId()),
            e.getType(), e.getContentType() == dev.indelible.server.api.ContentType.JSON ? ContentType.JSON : ContentType.PROTOBUF,
            e.getRecordedAtMicros(), e.getProducerId(), e.getPayload().toByteArray(), e.getMetadataMap());
    }

    private static final class Bearer extends CallCredentials {
        private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
        private final String token;

        Bearer(String token) {
            this.token = token;
        }

        @Override
        public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
            Metadata headers = new Metadata();
            headers.put(AUTHORIZATION, "Bearer " + token);
            applier.apply(headers);
        }
    }
}
