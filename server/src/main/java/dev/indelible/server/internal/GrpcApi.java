package dev.indelible.server.internal;

import com.google.protobuf.ByteString;
import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.ContentType;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.EventId;
import dev.indelible.ledger.EventReader;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.InvalidEventException;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.RecordedEvent;
import dev.indelible.projections.DomainEvents;
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
import dev.indelible.server.api.Event;
import dev.indelible.server.api.Failure;
import dev.indelible.server.api.LedgerServiceGrpc;
import dev.indelible.server.api.NewEvent;
import dev.indelible.server.api.ProjectionState;
import dev.indelible.server.api.QueryRequest;
import dev.indelible.server.api.QueryResponse;
import dev.indelible.server.api.ReadRequest;
import dev.indelible.server.api.StatusRequest;
import dev.indelible.server.api.StatusResponse;
import dev.indelible.server.api.AppendStreamRequest;
import dev.indelible.server.api.AppendStreamResponse;
import dev.indelible.server.api.SubscribeRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/** The gRPC service: the operations of the HTTP API on the messages of {@code ledger_service.proto}. Thread-safe. */
final class GrpcApi extends LedgerServiceGrpc.LedgerServiceImplBase {
    private static final int MAX_SUBSCRIPTIONS = 256;

    private final Ledger ledger;
    private final ProjectionEngine engine;
    private final ServerConfig config;
    private final Access access;
    private final Appends appends;
    private final Reads reads;
    private final Set<GrpcSubscription> subscriptions = ConcurrentHashMap.newKeySet();
    private final Set<GrpcAppendStream> appendStreams = ConcurrentHashMap.newKeySet();
    private final AtomicInteger threadNumber = new AtomicInteger();
    private final ExecutorService subscriptionThreads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "indelible-subscription-" + threadNumber.incrementAndGet());
        t.setDaemon(true);
        return t;
    });

    // Sends AppendStream outcomes, so that a sync completing thousands of appends only queues them.
    private final ExecutorService appendAnswers = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()), r -> {
        Thread t = new Thread(r, "indelible-append-answers-" + threadNumber.incrementAndGet());
        t.setDaemon(true);
        return t;
    });

    GrpcApi(Ledger ledger, ProjectionEngine engine, ServerConfig config, Access access, Appends appends, Reads reads) {
        this.ledger = ledger;
        this.engine = engine;
        this.config = config;
        this.access = access;
        this.appends = appends;
        this.reads = reads;
    }

    @Override
    public void append(AppendRequest request, StreamObserver<Appended> observer) {
        answer(observer, () -> appended(append(request)));
    }

    @Override
    public void appendBatch(AppendBatchRequest request, StreamObserver<AppendBatchResponse> observer) {
        answer(observer, () -> {
            AppendBatchResponse.Builder response = AppendBatchResponse.newBuilder();
            for (AppendRequest one : request.getAppendsList()) {
                try {
                    response.addOutcomes(outcome(append(one)));
                } catch (ApiError e) {
                    response.addOutcomes(outcome(e));
                }
            }
            return response.build();
        });
    }

    @Override
    public StreamObserver<AppendStreamRequest> appendStream(StreamObserver<AppendStreamResponse> observer) {
        Token token = GrpcAuth.TOKEN.get();
        InetAddress address = GrpcAuth.ADDRESS.get();
        GrpcAppendStream[] self = new GrpcAppendStream[1];
        self[0] = new GrpcAppendStream((ServerCallStreamObserver<AppendStreamResponse>) observer, request -> {
            if (!access.stillValid(token)) {
                throw new ApiError(401, "unauthenticated", "authorization", "token " + token.name() + " was revoked");
            }
            Prepared append = prepare(address, token, request);
            return appends.appendAsync(append.stream, append.expected, append.events);
        }, appendAnswers, () -> appendStreams.remove(self[0]));
        appendStreams.add(self[0]);
        return self[0];
    }

    static AppendOutcome outcome(AppendResult.Appended appended) {
        return AppendOutcome.newBuilder().setAppended(appended(appended)).build();
    }

    /** A refused append as the wire's {@link Failure}: the fields HTTP puts in its JSON error. */
    static AppendOutcome outcome(ApiError e) {
        Failure.Builder failure = Failure.newBuilder().setCode(status(e).getCode().name()).setError(e.code)
            .setField(e.field == null ? "" : e.field).setMessage(e.getMessage());
        if (e.details.get("actual_version") instanceof Long actual) {
            failure.setActualVersion(actual);
        }
        if (e.details.get("rule") instanceof String rule) {
            failure.setRule(rule).setCheckedStream(String.valueOf(e.details.get("checked_stream")))
                .setRequiredVersion((Long) e.details.get("required_version")).setWhy(String.valueOf(e.details.get("why")))
                .setEventIndex(((Long) e.details.get("event_index")).intValue());
        }
        if (e.details.get("existing_global_seq") instanceof Long existing) {
            failure.setEventId(String.valueOf(e.details.get("event_id"))).setExistingGlobalSeq(existing);
        }
        return AppendOutcome.newBuilder().setFailure(failure).build();
    }

    @Override
    public void read(ReadRequest request, StreamObserver<Event> observer) {
        List<RecordedEvent> events;
        try {
            Token token = GrpcAuth.TOKEN.get();
            int limit = readLimit(request.getLimit());
            if (request.hasStream()) {
                String stream = request.getStream().getStream();
                access.permit(GrpcAuth.ADDRESS.get(), token, Verb.READ, stream);
                events = reads.stream(stream, position("from_version", request.getStream().getFromVersion()), limit);
            } else {
                access.permit(GrpcAuth.ADDRESS.get(), token, Verb.READ, null);
                events = reads.all(token, position("from_global_seq", request.getFromGlobalSeq()), limit);
            }
        } catch (ApiError e) {
            observer.onError(status(e).asRuntimeException());
            return;
        } catch (InvalidEventException e) { // a stream name the ledger refuses
            observer.onError(status(ApiError.invalid(e.field(), e.reason())).asRuntimeException());
            return;
        }
        events.forEach(e -> observer.onNext(event(e)));
        observer.onCompleted();
    }

    @Override
    public void subscribe(SubscribeRequest request, StreamObserver<Event> observer) {
        try {
            Token token = GrpcAuth.TOKEN.get();
            access.permit(GrpcAuth.ADDRESS.get(), token, Verb.READ, null);
            long from = position("from_global_seq", request.getFromGlobalSeq());
            checkPrefix(request.getStreamPrefix());
            if (subscriptions.size() >= MAX_SUBSCRIPTIONS) {
                throw new ApiError(429, "too_many_subscriptions", null, "this server follows " + MAX_SUBSCRIPTIONS
                    + " subscriptions already; retry later");
            }
            GrpcSubscription subscription = new GrpcSubscription(ledger, (ServerCallStreamObserver<Event>) observer,
                from, EventFeed.Filter.of(token, request.getStreamPrefix(), null)::matches,
                () -> access.stillValid(token), subscriptions::remove);
            subscriptions.add(subscription);
            subscriptionThreads.execute(subscription);
        } catch (ApiError e) {
            observer.onError(status(e).asRuntimeException());
        }
    }

    /** A read's {@code limit}: 0 is the server's limit; a uint32 over 2^31 - 1 arrives negative. */
    private int readLimit(int limit) {
        int max = config.maxReadLimit();
        if (limit < 0 || limit > max) {
            throw ApiError.invalid("limit", "must be at most " + max + " (0: " + max + "), was " + Integer.toUnsignedString(limit));
        }
        return limit == 0 ? max : limit;
    }

    /** A uint64 position as the ledger's long: one over 2^63 - 1 arrives negative. */
    private static long position(String field, long unsigned) {
        if (unsigned < 0) {
            throw ApiError.invalid(field, "is " + Long.toUnsignedString(unsigned) + ", over the largest position " + Long.MAX_VALUE);
        }
        return unsigned;
    }

    /** A prefix no stream name can start with is a mistake, not a subscription that never sends. */
    private void checkPrefix(String prefix) {
        for (int i = 0; i < prefix.length(); i++) {
            if (Character.isISOControl(prefix.charAt(i))) {
                throw ApiError.invalid("stream_prefix", "must not contain control characters (at index " + i + ")");
            }
        }
        int bytes = prefix.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (bytes > ledger.config().maxStreamBytes()) {
            throw ApiError.invalid("stream_prefix", "is " + bytes + " UTF-8 bytes, longer than any stream name (at most "
                + ledger.config().maxStreamBytes() + ")");
        }
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
            StatusResponse.Builder response = StatusResponse.newBuilder().setHead(ledger.head())
                .setDurability(ledger.config().durability().name());
            for (ProjectionStatus p : engine == null ? List.<ProjectionStatus>of() : engine.status()) {
                response.addProjections(ProjectionState.newBuilder().setName(p.name()).setState(p.state().name())
                    .setLiveVersion(p.liveVersion() == null ? "" : p.liveVersion()).setPosition(p.position()).setLag(p.lag()));
            }
            return response.build();
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

    private AppendResult.Appended append(AppendRequest request) {
        Prepared append = prepare(GrpcAuth.ADDRESS.get(), GrpcAuth.TOKEN.get(), request);
        return appends.append(append.stream, append.expected, append.events);
    }

    private record Prepared(String stream, long expected, List<EventData> events) {
    }

    /** The request checked against the token and mapped to the ledger's types; throws the {@link ApiError} of bad input. */
    private Prepared prepare(InetAddress address, Token token, AppendRequest request) {
        access.permit(address, token, Verb.APPEND, request.getStream());
        long expected = switch (request.getExpectedCase()) {
            case EXPECTED_VERSION -> exactVersion(request.getExpectedVersion());
            case EXPECT -> switch (request.getExpect()) {
                case ANY -> ExpectedVersion.ANY;
                case NO_STREAM -> ExpectedVersion.NO_STREAM;
                case STREAM_EXISTS -> ExpectedVersion.STREAM_EXISTS;
                default -> throw ApiError.invalid("expect", "is not ANY, NO_STREAM or STREAM_EXISTS: value "
                    + request.getExpectValue());
            };
            default -> ExpectedVersion.ANY;
        };
        appends.checkCount(request.getEventsCount());
        List<EventData> events = new ArrayList<>(request.getEventsCount());
        for (int i = 0; i < request.getEventsCount(); i++) {
            events.add(eventData(request.getEvents(i), "events[" + i + "]."));
        }
        return new Prepared(request.getStream(), expected, events);
    }

    /** A uint64 version as the ledger's long: one past 2^63 - 1 would wrap into the special values. */
    private static long exactVersion(long unsigned) {
        if (unsigned < 0) {
            throw ApiError.invalid("expected_version", "is " + Long.toUnsignedString(unsigned) + ", over the largest version "
                + Long.MAX_VALUE);
        }
        return unsigned;
    }

    /**
     * A domain type's payload may be its Protobuf message or, as over HTTP, its JSON object; either
     * is validated here so that errors name the field as HTTP does ({@code data.media_type}).
     */
    private static EventData eventData(NewEvent e, String prefix) {
        try {
            EventData data = switch (e.getContentType()) {
                case PROTOBUF -> EventData.protobuf(e.getType(), e.getPayload().toByteArray());
                case JSON -> DomainEvents.isDomainType(e.getType()) ? domain(() -> DomainEvents.fromJson(e.getType(), utf8(e)))
                    : EventData.json(e.getType(), e.getPayload().toByteArray());
                default -> throw new InvalidEventException("content_type", "must be PROTOBUF or JSON");
            };
            if (e.getContentType() == dev.indelible.server.api.ContentType.PROTOBUF && DomainEvents.isDomainType(e.getType())) {
                EventData protobuf = data;
                domain(() -> {
                    DomainEvents.validate(protobuf);
                    return protobuf;
                });
            }
            if (!e.getEventId().isEmpty()) {
                data = data.withEventId(EventId.parse(e.getEventId()));
            }
            return e.getMetadataCount() == 0 ? data : data.withMetadata(e.getMetadataMap());
        } catch (InvalidEventException invalid) {
            throw ApiError.invalid(prefix + invalid.field(), invalid.reason());
        }
    }

    /** Runs a domain mapping or check, naming a payload field as HTTP does: {@code data.<field>}. */
    private static EventData domain(Supplier<EventData> mapping) {
        try {
            return mapping.get();
        } catch (InvalidEventException e) {
            boolean payloadField = !List.of("data", "payload", "content_type", "type").contains(e.field());
            throw new InvalidEventException(payloadField ? "data." + e.field() : e.field(), e.reason());
        }
    }

    private static String utf8(NewEvent e) {
        try {
            return java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                .decode(e.getPayload().asReadOnlyByteBuffer()).toString();
        } catch (java.nio.charset.CharacterCodingException invalid) {
            throw new InvalidEventException("payload", "is not valid UTF-8");
        }
    }

    private static Appended appended(AppendResult.Appended a) {
        return Appended.newBuilder().setStream(a.stream()).setFirstGlobalSeq(a.firstGlobalSeq())
            .setLastGlobalSeq(a.lastGlobalSeq()).setFirstStreamVersion(a.firstStreamVersion())
            .setLastStreamVersion(a.lastStreamVersion()).setCount(a.count()).setDuplicate(a.duplicate()).build();
    }

    static Event event(RecordedEvent e) {
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
            observer.onError(status(e).asRuntimeException());
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

    /** The gRPC status of an API error; the description starts with the field at fault. */
    static Status status(ApiError e) {
        Status code = switch (e.status) {
            case 400 -> Status.INVALID_ARGUMENT;
            case 401 -> Status.UNAUTHENTICATED;
            case 403 -> Status.PERMISSION_DENIED;
            case 404 -> Status.NOT_FOUND;
            case 409 -> Status.FAILED_PRECONDITION;
            case 413, 429 -> Status.RESOURCE_EXHAUSTED;
            case 503 -> Status.UNAVAILABLE;
            default -> Status.INTERNAL;
        };
        return code.withDescription((e.field == null ? "" : e.field + ": ") + e.getMessage() + " [" + e.code + "]");
    }
}
