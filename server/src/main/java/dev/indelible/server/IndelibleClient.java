package dev.indelible.server;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.InvalidEventException;
import dev.indelible.ledger.RecordedEvent;
import dev.indelible.ledger.Transaction;
import dev.indelible.ledger.TransactionResult;
import dev.indelible.server.api.AppendBatchRequest;
import dev.indelible.server.api.AppendBatchResponse;
import dev.indelible.server.api.AppendOutcome;
import dev.indelible.server.api.AppendRequest;
import dev.indelible.server.api.Condition;
import dev.indelible.server.api.EraseRequest;
import dev.indelible.server.api.Event;
import dev.indelible.server.api.Failure;
import dev.indelible.server.api.LedgerServiceGrpc;
import dev.indelible.server.api.ReadRequest;
import dev.indelible.server.api.StreamPosition;
import dev.indelible.server.api.SubscribeRequest;
import dev.indelible.server.api.TransactionCommitted;
import dev.indelible.server.api.TransactionRequest;
import io.grpc.CallCredentials;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;

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
 * <p>A journal of several partitions ({@code serve --journal kafka://...?partitions=P}) has no
 * {@code global_seq} over all of them: read and follow every event from a position instead,
 * {@link #read(String, int)} and {@link #subscribe(String, Consumer, Consumer)}, resuming from the
 * last {@link PositionedEvent#next()} handed (they work over one partition too).
 *
 * <p>Thread-safe; one client per process is enough (calls share one HTTP/2 connection).
 */
public final class IndelibleClient implements AutoCloseable {
    /** How long a blocking call waits for the server's answer unless {@link #callTimeout} says otherwise. */
    public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(30);
    private final ManagedChannel channel;
    private final LedgerServiceGrpc.LedgerServiceBlockingStub blocking;
    private static final int APPENDS_IN_FLIGHT = 4_096;
    private static final long DELIVERY_TIMEOUT_NANOS = TimeUnit.MINUTES.toNanos(2);
    private final LedgerServiceGrpc.LedgerServiceStub async;
    private AppendPipeline pipeline; // guarded by this; made at the first appendAsync
    private volatile long callTimeoutNanos = DEFAULT_CALL_TIMEOUT.toNanos();

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
    public static IndelibleClient connectTls(String host, int port, String token, Path trusted) {
        try {
            return new IndelibleClient(NettyChannelBuilder.forAddress(host, port)
                .sslContext(GrpcSslContexts.forClient().trustManager(trusted.toFile()).build())
                .build(), token);
        } catch (SSLException e) {
            throw new IllegalArgumentException("trusted: cannot use " + trusted + ": " + e.getMessage(), e);
        }
    }

    /**
     * How long each blocking call ({@link #append}, a transaction, {@link #read}, {@link #erase})
     * waits for the whole answer before it fails with {@code DEADLINE_EXCEEDED}
     * ({@link #DEFAULT_CALL_TIMEOUT} unless set): a server that stops answering, or a connection
     * that hangs, never holds the caller's thread for good. The call may still have taken effect:
     * a retry with the same event ids is answered as a duplicate. Returns this client.
     */
    public IndelibleClient callTimeout(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout: must be positive, was " + timeout);
        }
        callTimeoutNanos = timeout.toNanos();
        return this;
    }

    private LedgerServiceGrpc.LedgerServiceBlockingStub blocking() {
        return blocking.withDeadlineAfter(callTimeoutNanos, TimeUnit.NANOSECONDS);
    }

    public AppendResult append(String stream, long expectedVersion, List<EventData> events) {
        AppendRequest request = ClientWire.request(stream, expectedVersion, events);
        AppendOutcome outcome = call(() -> blocking().appendBatch(AppendBatchRequest.newBuilder().addAppends(request).build()))
            .getOutcomes(0);
        return ClientWire.result(stream, expectedVersion, outcome);
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
        if (events.size() == 1 && SingleColumns.fits(events.get(0))) {
            EventData event = events.get(0);
            SingleColumns.check(stream, event); // here, not on the sending thread
            if (SingleColumns.bytes(stream, event) <= AppendPipeline.BATCH_BYTES) {
                return pipeline().send(stream, event, expectedVersion);
            }
        }
        AppendRequest request = ClientWire.request(stream, expectedVersion, events);
        int bytes = request.getSerializedSize();
        return bytes > AppendPipeline.BATCH_BYTES ? alone(request).thenApply(o -> ClientWire.result(stream, expectedVersion, o))
            : pipeline().send(request, bytes, expectedVersion);
    }

    /**
     * Appends a {@link Transaction} on the server, all or nothing, as the embedded
     * {@code Ledger.append(Transaction)} does: a part or condition that fails is a
     * {@link TransactionResult}, bad input throws {@link InvalidEventException} naming the field
     * ({@code parts[1].events[0].type}), a permission or a failure {@link RequestFailedException}.
     * A retry of the same transaction (same event ids) answers its original positions as a duplicate.
     */
    public TransactionResult append(Transaction transaction) {
        TransactionRequest.Builder request = TransactionRequest.newBuilder();
        transaction.parts().forEach(p -> request.addParts(ClientWire.request(p.stream(), p.expectedVersion(), p.events())));
        for (Transaction.Condition c : transaction.conditions()) {
            Condition.Builder condition = Condition.newBuilder().setStream(c.stream());
            if (c.expectedVersion() >= 0) {
                condition.setExpectedVersion(c.expectedVersion());
            } else {
                condition.setExpect(ClientWire.expect(c.expectedVersion()));
            }
            request.addConditions(condition);
        }
        TransactionCommitted committed;
        try {
            committed = blocking().appendTransaction(request.build());
        } catch (StatusRuntimeException e) {
            com.google.rpc.Status details = StatusProto.fromThrowable(e);
            Failure failure = details == null ? null : details.getDetailsList().stream().filter(d -> d.is(Failure.class))
                .findFirst().map(IndelibleClient::unpack).orElse(null);
            if (failure == null) {
                throw failure(e);
            }
            return refused(transaction, failure);
        }
        List<AppendResult.Appended> parts = new ArrayList<>(committed.getPartsCount());
        committed.getPartsList().forEach(a -> parts.add(new AppendResult.Appended(a.getStream(), a.getFirstGlobalSeq(),
            a.getFirstStreamVersion(), a.getCount(), a.getDuplicate())));
        return new TransactionResult.Committed(parts, committed.getDuplicate());
    }

    /** A refused transaction's {@link Failure} as the embedded API's result; bad input and other failures throw. */
    private static TransactionResult refused(Transaction transaction, Failure f) {
        return switch (f.getTransactionItemCase()) {
            case CONDITION -> new TransactionResult.ConditionFailed(f.getCondition(), f.getStream(), f.getExpectedVersion(),
                f.getActualVersion());
            case PART -> {
                Transaction.Part part = transaction.parts().get(f.getPart());
                Failure inPart = f.toBuilder().setField(f.getField().replaceFirst("^parts\\[\\d+]\\.", "")).build();
                yield new TransactionResult.PartRefused(f.getPart(), ClientWire.result(part.stream(), part.expectedVersion(),
                    AppendOutcome.newBuilder().setFailure(inPart).build()));
            }
            default -> f.getError().equals("invalid_argument") ? throwInvalid(f) : throwFailed(f);
        };
    }

    private static TransactionResult throwInvalid(Failure f) {
        throw new InvalidEventException(f.getField(), f.getMessage());
    }

    private static TransactionResult throwFailed(Failure f) {
        throw new RequestFailedException(f.getCode(), f.getField(), f.getMessage());
    }

    private static Failure unpack(Any detail) {
        try {
            return detail.unpack(Failure.class);
        } catch (InvalidProtocolBufferException e) {
            return null;
        }
    }

    private CompletableFuture<AppendOutcome> alone(AppendRequest request) {
        CompletableFuture<AppendOutcome> outcome = new CompletableFuture<>();
        async.appendBatch(AppendBatchRequest.newBuilder().addAppends(request).build(), new StreamObserver<>() {
            @Override
            public void onNext(AppendBatchResponse response) {
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

    public AppendResult append(String stream, long expectedVersion, EventData event) {
        return append(stream, expectedVersion, List.of(event));
    }

    /** Events from {@code fromGlobalSeq} that the token may read, at most {@code limit}. */
    public List<RecordedEvent> read(long fromGlobalSeq, int limit) {
        return collect(ReadRequest.newBuilder().setFromGlobalSeq(fromGlobalSeq).setLimit(limit).build(), ClientWire::recorded);
    }

    /**
     * Events from {@code from} that the token may read, at most {@code limit}, each with its partition
     * and where to go on past it: how to read a journal of several partitions ({@code serve --journal
     * kafka://...?partitions=P}), whose {@code global_seq}s count within each partition. Each
     * partition's events come in its order, with no order across partitions. {@code from} is
     * {@code "0"} for the start or an event's {@link PositionedEvent#next()}, passed back as it was
     * given; over one partition it is a {@code global_seq} as text, so this works on any journal.
     *
     * @throws InvalidEventException naming {@code from_positions} when the server cannot read it as
     *                               positions of its journal (another partition count, not numbers)
     */
    public List<PositionedEvent> read(String from, int limit) {
        return collect(ReadRequest.newBuilder().setFromPositions(positions(from)).setLimit(limit).build(),
            ClientWire::positioned);
    }

    public List<RecordedEvent> readStream(String stream, long fromVersion, int limit) {
        return collect(ReadRequest.newBuilder().setStream(StreamPosition.newBuilder().setStream(stream).setFromVersion(fromVersion))
            .setLimit(limit).build(), ClientWire::recorded);
    }

    /**
     * Catches up from {@code fromGlobalSeq}, then follows; {@code handler} runs on a gRPC thread,
     * one event at a time. {@code onEnd} receives the error that ended it (a stopped server:
     * subscribe again from the last global_seq + 1). Close the result to stop.
     */
    public AutoCloseable subscribe(long fromGlobalSeq, Consumer<RecordedEvent> handler, Consumer<Throwable> onEnd) {
        return follow(SubscribeRequest.newBuilder().setFromGlobalSeq(fromGlobalSeq).build(),
            e -> handler.accept(ClientWire.recorded(e)), onEnd);
    }

    /**
     * Catches up from {@code from} ({@code "0"} or an event's {@link PositionedEvent#next()}, as
     * {@link #read(String, int)} takes it), then follows every partition: each partition's events in
     * its order, none across partitions. {@code handler} runs on a gRPC thread, one event at a time.
     * {@code onEnd} receives the error that ended it (a stopped server: subscribe again from the last
     * event's {@code next}; a position the server cannot read: INVALID_ARGUMENT). Close the result to stop.
     */
    public AutoCloseable subscribe(String from, Consumer<PositionedEvent> handler, Consumer<Throwable> onEnd) {
        return follow(SubscribeRequest.newBuilder().setFromPositions(positions(from)).build(),
            e -> handler.accept(ClientWire.positioned(e)), onEnd);
    }

    /**
     * Erases a data subject (crypto-shredding; the token needs the admin verb), as
     * {@code PersonalData.erase} and {@code POST /admin/erase?subject=} do: its key is destroyed and an
     * {@code ops.erase} event names the token; from then on every read shows its personal fields as
     * {@code [erased]}. Any node of a cluster takes it. A retry is safe: a subject erased already is
     * answered false, and nothing is done again.
     *
     * @return true when this call erased it, false when it had been erased before
     * @throws InvalidEventException naming {@code subject} when it is empty
     * @throws RequestFailedException {@code NOT_FOUND} naming {@code subject} when it has no key
     *                                (nothing of it was sealed: check the id)
     */
    public boolean erase(String subject) {
        return erase(subject, Map.of());
    }

    /**
     * {@link #erase(String)} for a cluster node forwarding an erasure it was sent: {@code forwardedFor}
     * says who asked it there ({@code by_token}, {@code via}), and the {@code ops.erase} event records it.
     */
    public boolean erase(String subject, Map<String, String> forwardedFor) {
        EraseRequest request = EraseRequest.newBuilder().setSubject(subject == null ? "" : subject)
            .putAllForwardedFor(forwardedFor).build();
        return !call(() -> blocking().erase(request)).getAlreadyErased();
    }

    /** A position as given; the server says what is wrong with any other text. */
    private static String positions(String from) {
        if (from == null || from.isBlank()) {
            throw new IllegalArgumentException("from: must be \"0\" for the start or an event's next, was "
                + (from == null ? "null" : "'" + from + "'"));
        }
        return from;
    }

    private AutoCloseable follow(SubscribeRequest request, Consumer<Event> handler, Consumer<Throwable> onEnd) {
        Context.CancellableContext context = Context.current().withCancellation();
        context.run(() -> async.subscribe(request, new StreamObserver<>() {
            @Override
            public void onNext(Event event) {
                handler.accept(event);
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

    private <T> List<T> collect(ReadRequest request, Function<Event, T> as) {
        return call(() -> {
            List<T> events = new ArrayList<>();
            Iterator<Event> it = blocking().read(request);
            it.forEachRemaining(e -> events.add(as.apply(e)));
            return events;
        });
    }

    private static <T> T call(Supplier<T> call) {
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
