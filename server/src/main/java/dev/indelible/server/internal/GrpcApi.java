package dev.indelible.server.internal;

import static dev.indelible.server.internal.AppendService.EventNames.INDEXED;

import com.google.protobuf.ByteString;
import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.ContentType;
import dev.indelible.ledger.DaemonThreads;
import dev.indelible.ledger.InvalidEventException;
import dev.indelible.ledger.LedgerPartitions;
import dev.indelible.ledger.PartitionPositions;
import dev.indelible.ledger.PersonalData;
import dev.indelible.ledger.RecordedEvent;
import dev.indelible.projections.ProjectionEngine;
import dev.indelible.projections.ProjectionStatus;
import dev.indelible.server.ServerConfig;
import dev.indelible.server.Token;
import dev.indelible.server.Verb;
import dev.indelible.server.api.AppendBatchRequest;
import dev.indelible.server.api.AppendBatchResponse;
import dev.indelible.server.api.AppendOutcome;
import dev.indelible.server.api.AppendRequest;
import dev.indelible.server.api.Appended;
import dev.indelible.server.api.EraseRequest;
import dev.indelible.server.api.EraseResponse;
import dev.indelible.server.api.Event;
import dev.indelible.server.api.Failure;
import dev.indelible.server.api.LedgerServiceGrpc;
import dev.indelible.server.api.ProjectionState;
import dev.indelible.server.api.QueryRequest;
import dev.indelible.server.api.QueryResponse;
import dev.indelible.server.api.ReadRequest;
import dev.indelible.server.api.SingleEventColumns;
import dev.indelible.server.api.StatusRequest;
import dev.indelible.server.api.StatusResponse;
import dev.indelible.server.api.AppendStreamRequest;
import dev.indelible.server.api.AppendStreamResponse;
import dev.indelible.server.api.SubscribeRequest;
import dev.indelible.server.api.TransactionCommitted;
import dev.indelible.server.api.TransactionOutcome;
import dev.indelible.server.api.TransactionRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/** The gRPC service: the operations of the HTTP API on the messages of {@code ledger_service.proto}. Thread-safe. */
final class GrpcApi extends LedgerServiceGrpc.LedgerServiceImplBase {
    private static final int MAX_SUBSCRIPTIONS = 256;

    private final LedgerPartitions partitions;
    private final ProjectionEngine engine;
    private final ServerConfig config;
    private final Access access;
    private final AppendService appends;
    private final Reads reads;
    private final AdminOperations admin;
    private final Set<GrpcSubscription> subscriptions = ConcurrentHashMap.newKeySet();
    private final Set<GrpcAppendStream> appendStreams = ConcurrentHashMap.newKeySet();
    private final ExecutorService subscriptionThreads = Executors.newCachedThreadPool(DaemonThreads.numbered("indelible-subscription"));

    // Sends AppendStream outcomes, so that a sync completing thousands of appends only queues them.
    private final ExecutorService appendAnswers = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()),
        DaemonThreads.numbered("indelible-append-answers"));

    GrpcApi(LedgerPartitions partitions, ProjectionEngine engine, ServerConfig config, Access access, AppendService appends, Reads reads,
            AdminOperations admin) {
        this.admin = admin;
        this.partitions = partitions;
        this.engine = engine;
        this.config = config;
        this.access = access;
        this.appends = appends;
        this.reads = reads;
    }

    @Override
    public void append(AppendRequest request, StreamObserver<Appended> observer) {
        AppendOutcome outcome = appends.append(GrpcAuth.ADDRESS.get(), GrpcAuth.TOKEN.get(), request, INDEXED);
        if (outcome.hasFailure()) {
            observer.onError(ApiError.grpcStatus(outcome.getFailure()).asRuntimeException());
        } else {
            observer.onNext(outcome.getAppended());
            observer.onCompleted();
        }
    }

    /** A refusal carries its {@link Failure} in the status details as well as in the description. */
    @Override
    public void appendTransaction(TransactionRequest request, StreamObserver<TransactionCommitted> observer) {
        TransactionOutcome outcome = appends.append(GrpcAuth.ADDRESS.get(), GrpcAuth.TOKEN.get(), request);
        if (outcome.hasFailure()) {
            observer.onError(ApiError.grpcError(outcome.getFailure()));
        } else {
            observer.onNext(outcome.getCommitted());
            observer.onCompleted();
        }
    }

    /** Every append is made at once, in order, so that they share a sync; answered when the last is durable. */
    @Override
    public void appendBatch(AppendBatchRequest request, StreamObserver<AppendBatchResponse> observer) {
        List<CompletableFuture<AppendOutcome>> outcomes = new ArrayList<>(request.getAppendsCount());
        for (AppendRequest one : request.getAppendsList()) {
            outcomes.add(appends.appendAsync(GrpcAuth.ADDRESS.get(), GrpcAuth.TOKEN.get(), one, INDEXED));
        }
        AppendBatchResponse.Builder response = AppendBatchResponse.newBuilder();
        outcomes.forEach(outcome -> response.addOutcomes(AppendService.await(outcome, AppendService::failed)));
        observer.onNext(response.build());
        observer.onCompleted();
    }

    @Override
    public StreamObserver<AppendStreamRequest> appendStream(StreamObserver<AppendStreamResponse> observer) {
        Token token = GrpcAuth.TOKEN.get();
        InetAddress address = GrpcAuth.ADDRESS.get();
        return new GrpcAppendStream((ServerCallStreamObserver<AppendStreamResponse>) observer,
            new GrpcAppendStream.Appends() {
                @Override
                public CompletableFuture<AppendResult> write(AppendRequest request) {
                    return appends.write(address, token, request, INDEXED);
                }

                @Override
                public CompletableFuture<AppendResult> write(SingleEventColumns columns, int i) {
                    return appends.write(address, token, columns, i);
                }
            }, () -> {
                if (!access.stillValid(token)) { // a look at the token file: once per request, not per append
                    throw new ApiError(401, "unauthenticated", "authorization", "token " + token.name() + " was revoked");
                }
            }, appendAnswers, appendStreams);
    }

    @Override
    public void read(ReadRequest request, StreamObserver<Event> observer) {
        PersonalData personal = partitions.auditLedger().personalData();
        List<Event> events;
        try {
            Token token = GrpcAuth.TOKEN.get();
            int limit = readLimit(request.getLimit());
            if (request.hasStream()) {
                String stream = request.getStream().getStream();
                access.permit(GrpcAuth.ADDRESS.get(), token, Verb.READ, stream);
                events = reads.stream(stream, unsigned("from_version", request.getStream().getFromVersion()), limit)
                    .stream().map(e -> event(e, personal)).toList();
            } else {
                access.permit(GrpcAuth.ADDRESS.get(), token, Verb.READ, null);
                PartitionPositions from = from(request.hasFromPositions() ? request.getFromPositions() : null,
                    request.getFromGlobalSeq());
                events = reads.all(token, from, limit).stream().map(e -> event(e, personal)).toList();
            }
        } catch (ApiError e) {
            observer.onError(e.grpcStatus().asRuntimeException());
            return;
        } catch (InvalidEventException e) { // a stream name the ledger refuses
            observer.onError(ApiError.invalid(e.field(), e.reason()).grpcStatus().asRuntimeException());
            return;
        }
        events.forEach(observer::onNext);
        observer.onCompleted();
    }

    @Override
    public void subscribe(SubscribeRequest request, StreamObserver<Event> observer) {
        try {
            Token token = GrpcAuth.TOKEN.get();
            access.permit(GrpcAuth.ADDRESS.get(), token, Verb.READ, null);
            PartitionPositions from = from(request.getFromPositions().isEmpty() ? null : request.getFromPositions(),
                request.getFromGlobalSeq());
            EventFeed.Filter filter = EventFeed.Filter.of(token, request.getStreamPrefix(), null,
                partitions.auditLedger().config().maxStreamBytes());
            if (subscriptions.size() >= MAX_SUBSCRIPTIONS) {
                throw new ApiError(429, "too_many_subscriptions", null, "this server follows " + MAX_SUBSCRIPTIONS
                    + " subscriptions already; retry later");
            }
            GrpcSubscription subscription = new GrpcSubscription(partitions, (ServerCallStreamObserver<Event>) observer,
                from, filter::matches,
                () -> access.stillValid(token), subscriptions::remove);
            subscriptions.add(subscription);
            subscriptionThreads.execute(subscription);
        } catch (ApiError e) {
            observer.onError(e.grpcStatus().asRuntimeException());
        }
    }

    /**
     * Where a read of every event starts: {@code from_positions} when given (null when not), else
     * {@code from_global_seq}, which over several partitions can only be 0, the start of all.
     */
    private PartitionPositions from(String positions, long globalSeq) {
        int count = partitions.count();
        if (positions != null) {
            if (globalSeq != 0) {
                throw ApiError.invalid("from_positions", "give from_positions or from_global_seq, not both");
            }
            return FeedPositions.parse("from_positions", positions, count, null);
        }
        long from = unsigned("from_global_seq", globalSeq);
        if (count > 1 && from != 0) {
            throw ApiError.invalid("from_global_seq", "the journal has " + count + " partitions, each with its own"
                + " global_seq: give from_positions (an event's next_positions, one global_seq per partition), was " + from);
        }
        return count > 1 ? PartitionPositions.start(count) : PartitionPositions.of(from);
    }

    /** A read's {@code limit}: 0 is the server's limit; a uint32 over 2^31 - 1 arrives negative. */
    private int readLimit(int limit) {
        int max = config.maxReadLimit();
        if (limit < 0 || limit > max) {
            throw ApiError.invalid("limit", "must be at most " + max + " (0: " + max + "), was " + Integer.toUnsignedString(limit));
        }
        return limit == 0 ? max : limit;
    }

    /**
     * A uint64 version or position as the ledger's long: one over 2^63 - 1 arrives negative, and
     * would otherwise wrap into the special versions ({@code -2} is "any").
     */
    static long unsigned(String field, long value) {
        if (value < 0) {
            throw ApiError.invalid(field, "is " + Long.toUnsignedString(value) + ", over the largest version or position "
                + Long.MAX_VALUE);
        }
        return value;
    }

    @Override
    public void query(QueryRequest request, StreamObserver<QueryResponse> observer) {
        answer(observer, () -> {
            access.permit(GrpcAuth.ADDRESS.get(), GrpcAuth.TOKEN.get(), Verb.QUERY, null);
            QueryResponse.Builder response = QueryResponse.newBuilder();
            reads.query(GrpcAuth.TOKEN.get(), request.getProjection(), request.getParamsMap()).forEach(row -> response.addRowsJson(row.json()));
            return response.build();
        });
    }

    @Override
    public void status(StatusRequest request, StreamObserver<StatusResponse> observer) {
        answer(observer, () -> {
            access.permit(GrpcAuth.ADDRESS.get(), GrpcAuth.TOKEN.get(), Verb.STATUS, null);
            StatusResponse.Builder response = StatusResponse.newBuilder().setHead(partitions.events())
                .setDurability(partitions.auditLedger().config().durability().name());
            partitions.writers().forEach(writer -> response.addWriters(writer.orElse("")));
            for (ProjectionStatus p : engine == null ? List.<ProjectionStatus>of() : engine.status()) {
                response.addProjections(ProjectionState.newBuilder().setName(p.name()).setState(p.state().name())
                    .setLiveVersion(p.liveVersion() == null ? "" : p.liveVersion()).setPosition(p.position()).setLag(p.lag()));
            }
            return response.build();
        });
    }

    /**
     * {@code POST /admin/erase}'s operation: the {@code ops.erase} event names the token, via grpc, and
     * for an erasure a cluster node forwarded, who asked it there.
     */
    @Override
    public void erase(EraseRequest request, StreamObserver<EraseResponse> observer) {
        answer(observer, () -> {
            Token token = GrpcAuth.TOKEN.get();
            access.permit(GrpcAuth.ADDRESS.get(), token, Verb.ADMIN, null);
            Map<String, String> figures = new java.util.TreeMap<>(Map.of("by_token", token.name(), "via", "grpc"));
            request.getForwardedForMap().forEach((figure, value) -> {
                if (!figure.equals("by_token") && !figure.equals("via")) {
                    throw ApiError.invalid("forwarded_for", "takes by_token and via, not '" + figure + "'");
                }
                figures.put("forwarded_" + figure, value);
            });
            boolean erased = admin.erase(request.getSubject(), figures);
            return EraseResponse.newBuilder().setSubject(request.getSubject()).setAlreadyErased(!erased).build();
        });
    }

    /**
     * Ends every subscription with UNAVAILABLE (clients resume from their last global_seq + 1), and
     * every append stream once the appends it took are answered (clients resend the rest).
     */
    void stopStreams() {
        subscriptions.forEach(GrpcSubscription::stop);
        subscriptionThreads.shutdown();
        appendStreams.forEach(GrpcAppendStream::stop);
    }

    /** After every call ended. */
    void close() {
        appendAnswers.shutdown();
    }

    /** A followed event: over several partitions with its partition and the positions past it. */
    static Event event(EventFeed.Item item, PersonalData personal) {
        Event e = event(item.event(), personal);
        return item.after() == null ? e
            : e.toBuilder().setPartition(item.partition()).setNextPositions(item.after().toString()).build();
    }

    /** The event as every read shows it: sealed values opened, or {@code [erased]} (what HTTP's {@code /events} shows). */
    static Event event(RecordedEvent sealed, PersonalData personal) {
        RecordedEvent e = personal.opened(sealed);
        return Event.newBuilder().setGlobalSeq(e.globalSeq()).setStream(e.stream()).setStreamVersion(e.streamVersion())
            .setEventId(e.eventId().toString()).setType(e.type())
            .setContentType(e.contentType() == ContentType.JSON ? dev.indelible.server.api.ContentType.JSON
                : dev.indelible.server.api.ContentType.PROTOBUF)
            .setRecordedAtMicros(e.recordedAtMicros()).setProducerId(e.producerId())
            .setPayload(ByteString.copyFrom(e.payload())).putAllMetadata(e.metadata()).build();
    }

    private static <T> void answer(StreamObserver<T> observer, Supplier<T> call) {
        T response;
        try {
            response = call.get();
        } catch (ApiError e) {
            observer.onError(e.grpcStatus().asRuntimeException());
            return;
        } catch (InvalidEventException e) {
            observer.onError(Status.INVALID_ARGUMENT.withDescription(e.field() + ": " + e.reason()).asRuntimeException());
            return;
        } catch (StatusRuntimeException e) {
            observer.onError(e);
            return;
        }
        observer.onNext(response);
        observer.onCompleted();
    }
}
