package dev.indelible.server;

import static dev.indelible.server.GrpcApiTest.selfie;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.EventId;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.InvalidEventException;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.RecordedEvent;
import dev.indelible.ledger.testing.ChildJvm;
import dev.indelible.projections.proto.SelfieSubmitted;
import dev.indelible.projections.reference.DomainEvents;
import dev.indelible.server.api.AppendRequest;
import dev.indelible.server.api.LedgerServiceGrpc;
import dev.indelible.server.api.NewEvent;
import dev.indelible.server.api.SingleEventColumns;
import dev.indelible.server.api.StreamedAppend;
import dev.indelible.server.api.AppendStreamRequest;
import dev.indelible.server.api.AppendStreamResponse;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code AppendStream} and the Java client's {@code appendAsync} over it, against a real server. */
@Tag("system")
class AppendStreamTest {
    @TempDir
    Path dir;

    @Test
    void shouldAppendEveryThreadsEventsOnceInEachThreadsOrder() throws Exception {
        int threads = 8;
        int perThread = 500;
        try (ServerFixture f = new ServerFixture(dir);
             IndelibleClient client = IndelibleClient.connect("127.0.0.1", f.server.grpcPort(),
                 f.token("bot", "selfies-*", Verb.APPEND))) {
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            List<Future<List<CompletableFuture<AppendResult>>>> sent = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long user = 100 + t;
                sent.add(pool.submit(() -> {
                    List<CompletableFuture<AppendResult>> futures = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                        EventData event = selfie(user, "f" + i); // with metadata it goes in a batch, else in singles
                        futures.add(client.appendAsync("selfies-user-" + user, ExpectedVersion.ANY,
                            i % 3 == 0 ? event.withMetadata(Map.of("i", "" + i)) : event));
                    }
                    return futures;
                }));
            }
            for (int t = 0; t < threads; t++) {
                for (CompletableFuture<AppendResult> future : sent.get(t).get(60, TimeUnit.SECONDS)) {
                    assertInstanceOf(AppendResult.Appended.class, future.get(60, TimeUnit.SECONDS));
                }
            }
            pool.shutdown();
            assertEquals((long) threads * perThread, f.ledger.head());
            for (int t = 0; t < threads; t++) {
                List<RecordedEvent> stream = f.ledger.readStream("selfies-user-" + (100 + t), 0, perThread + 1);
                assertEquals(perThread, stream.size());
                for (int i = 0; i < perThread; i++) {
                    assertEquals("f" + i, SelfieSubmitted.parseFrom(stream.get(i).payload()).getFileId(), "thread " + t + "'s order");
                    assertEquals(i % 3 == 0 ? Map.of("i", "" + i) : Map.of(), stream.get(i).metadata());
                }
            }
        }
    }

    @Test
    void shouldAnswerEachRefusalByItsCorrelationAndGoOn() throws Exception {
        try (ServerFixture f = new ServerFixture(dir);
             IndelibleClient client = IndelibleClient.connect("127.0.0.1", f.server.grpcPort(),
                 f.token("bot", "selfies-*", Verb.APPEND))) {
            EventData first = selfie(7, "f1").withEventId(EventId.random());
            CompletableFuture<AppendResult> appended = client.appendAsync("selfies-user-7", ExpectedVersion.NO_STREAM, first);
            CompletableFuture<AppendResult> retried = client.appendAsync("selfies-user-7", ExpectedVersion.NO_STREAM, first);
            CompletableFuture<AppendResult> wrong = client.appendAsync("selfies-user-7", ExpectedVersion.NO_STREAM, selfie(7, "f2"));
            CompletableFuture<AppendResult> conflict = client.appendAsync("selfies-user-7", ExpectedVersion.ANY,
                selfie(7, "other").withEventId(first.eventId()));
            CompletableFuture<AppendResult> invalid = client.appendAsync("selfies-user-7", ExpectedVersion.ANY,
                EventData.protobuf(DomainEvents.SELFIE_SUBMITTED, SelfieSubmitted.newBuilder().setUserId(7).build().toByteArray()));
            CompletableFuture<AppendResult> forbidden = client.appendAsync("accounts-1", ExpectedVersion.ANY, selfie(7, "f3"));
            CompletableFuture<AppendResult> after = client.appendAsync("selfies-user-7", 0, selfie(7, "f4"));

            assertEquals(0, assertInstanceOf(AppendResult.Appended.class, appended.get(10, TimeUnit.SECONDS)).firstStreamVersion());
            assertTrue(assertInstanceOf(AppendResult.Appended.class, retried.get(10, TimeUnit.SECONDS)).duplicate());
            assertEquals(0, assertInstanceOf(AppendResult.WrongExpectedVersion.class, wrong.get(10, TimeUnit.SECONDS)).actualVersion());
            assertInstanceOf(AppendResult.EventIdConflict.class, conflict.get(10, TimeUnit.SECONDS));
            InvalidEventException bad = assertInstanceOf(InvalidEventException.class, failure(invalid));
            assertEquals("events[0].data.media_type", bad.field(), bad.getMessage());
            assertEquals("PERMISSION_DENIED", assertInstanceOf(IndelibleClient.RequestFailedException.class, failure(forbidden)).code());
            assertEquals(1, assertInstanceOf(AppendResult.Appended.class, after.get(10, TimeUnit.SECONDS)).firstStreamVersion(),
                "the call goes on after refusals");
            assertEquals(2, f.ledger.head(), "nothing written for the refusals");
        }
    }

    /** An {@code Appended} per append for clients that predate the columns; columns, duplicates marked, for those that ask. */
    @Test
    void shouldAnswerStoredAppendsInColumnsOnlyToARequestThatAsks() throws Exception {
        try (ServerFixture f = new ServerFixture(dir)) {
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", f.server.grpcPort()).usePlaintext().build();
            try {
                var stub = authorized(channel, f.token("bot", "selfies-*", Verb.APPEND));
                NewEvent event = NewEvent.newBuilder().setType("note.added").setEventId(EventId.random().toString())
                    .setContentType(dev.indelible.server.api.ContentType.JSON)
                    .setPayload(com.google.protobuf.ByteString.copyFromUtf8("{\"n\": 1}")).build();
                AppendRequest note = AppendRequest.newBuilder().setStream("selfies-notes").addEvents(event).build();
                AppendRequest refused = AppendRequest.newBuilder().setStream("selfies-notes").setExpectedVersion(7).addEvents(
                    event.toBuilder().setEventId(EventId.random().toString())).build();

                AppendStreamResponse plain = answer(stub, AppendStreamRequest.newBuilder()
                    .addAppends(StreamedAppend.newBuilder().setCorrelationId(10).setAppend(note)).build());
                AppendStreamResponse packed = answer(stub, AppendStreamRequest.newBuilder().setPackAppended(true)
                    .addAppends(StreamedAppend.newBuilder().setCorrelationId(20).setAppend(note))
                    .addAppends(StreamedAppend.newBuilder().setCorrelationId(21).setAppend(refused)).build());

                assertEquals(10, plain.getOutcomes(0).getCorrelationId());
                assertEquals(0, plain.getOutcomes(0).getOutcome().getAppended().getFirstGlobalSeq());
                assertEquals(0, plain.getAppended().getCorrelationIdsCount());
                assertEquals(List.of(20L), packed.getAppended().getCorrelationIdsList());
                assertEquals(List.of(0L), packed.getAppended().getFirstGlobalSeqsList(), "the retry's original position");
                assertEquals(List.of(1), packed.getAppended().getCountsList());
                assertEquals(List.of(0), packed.getAppended().getDuplicatesList());
                assertEquals(21, packed.getOutcomes(0).getCorrelationId());
                assertEquals("wrong_expected_version", packed.getOutcomes(0).getOutcome().getFailure().getError());
            } finally {
                channel.shutdownNow();
            }
        }
    }

    /** A batch's appends are made after the request's listed ones, in order, each answered by its implied id. */
    @Test
    void shouldAnswerABatchsAppendsByCorrelationIdsImpliedByTheFirst() throws Exception {
        try (ServerFixture f = new ServerFixture(dir)) {
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", f.server.grpcPort()).usePlaintext().build();
            try {
                var stub = authorized(channel, f.token("bot", "selfies-*", Verb.APPEND));

                AppendStreamResponse answers = answer(stub, AppendStreamRequest.newBuilder().setPackAppended(true)
                    .addAppends(StreamedAppend.newBuilder().setCorrelationId(7).setAppend(note(-1)))
                    .setFirstCorrelationId(100).addBatch(note(-1)).addBatch(note(9)).addBatch(note(-1)).build());

                assertEquals(List.of(7L, 100L, 102L), answers.getAppended().getCorrelationIdsList());
                assertEquals(List.of(0L, 1L, 2L), answers.getAppended().getFirstGlobalSeqsList(), "made in the order sent");
                assertEquals(101, answers.getOutcomes(0).getCorrelationId());
                assertEquals("wrong_expected_version", answers.getOutcomes(0).getOutcome().getFailure().getError());
            } finally {
                channel.shutdownNow();
            }
        }
    }

    /** Singles follow a request's batch; each column is checked for each append, which alone is refused. */
    @Test
    void shouldAnswerSinglesAfterTheBatchAndRefuseOnlyTheAppendAColumnFails() throws Exception {
        try (ServerFixture f = new ServerFixture(dir)) {
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", f.server.grpcPort()).usePlaintext().build();
            try {
                var stub = authorized(channel, f.token("bot", "selfies-*", Verb.APPEND));
                com.google.protobuf.ByteString json = com.google.protobuf.ByteString.copyFromUtf8("{\"n\": 1}");
                com.google.protobuf.ByteString id = com.google.protobuf.ByteString.copyFrom(EventId.random().toBytes());
                SingleEventColumns.Builder singles = SingleEventColumns.newBuilder();
                for (long expected : new long[] {0, 1, -3, 5, -2}) { // after the batch's event; -3 means nothing; 5 is wrong
                    singles.addStreams("selfies-notes").addExpectedVersions(expected).addTypes("note.added")
                        .addContentTypes(dev.indelible.server.api.ContentType.JSON).addPayloads(json)
                        .addEventIds(com.google.protobuf.ByteString.copyFrom(EventId.random().toBytes()));
                }
                singles.setEventIds(4, id.substring(0, 15)); // a short id
                singles.addStreams("selfies-notes").addExpectedVersions(-2).addTypes("note.added"); // columns left short

                AppendStreamResponse answers = answer(stub, AppendStreamRequest.newBuilder().setPackAppended(true)
                    .setFirstCorrelationId(40).addBatch(note(-1)).setSingles(singles).build());

                assertEquals(List.of(40L, 41L, 42L), answers.getAppended().getCorrelationIdsList());
                assertEquals(List.of(0L, 1L, 2L), answers.getAppended().getFirstGlobalSeqsList(), "made in the order sent");
                Map<Long, String> refused = new TreeMap<>();
                answers.getOutcomesList().forEach(o -> refused.put(o.getCorrelationId(),
                    o.getOutcome().getFailure().getError() + " " + o.getOutcome().getFailure().getField()));
                assertEquals(Map.of(43L, "invalid_argument expected_version", 44L, "wrong_expected_version expected_version",
                    45L, "invalid_argument events[0].event_id", 46L, "invalid_argument singles.content_types"), refused);
            } finally {
                channel.shutdownNow();
            }
        }
    }

    /** One event on {@code selfies-notes} with a fresh id, at {@code expectedVersion} (negative: any). */
    /** An async stub that sends {@code token} with every call on {@code channel}. */
    private static LedgerServiceGrpc.LedgerServiceStub authorized(ManagedChannel channel, String token) {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        return LedgerServiceGrpc.newStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    private static AppendRequest note(long expectedVersion) {
        AppendRequest.Builder append = AppendRequest.newBuilder().setStream("selfies-notes").addEvents(NewEvent.newBuilder()
            .setType("note.added").setEventId(EventId.random().toString()).setContentType(dev.indelible.server.api.ContentType.JSON)
            .setPayload(com.google.protobuf.ByteString.copyFromUtf8("{\"n\": 1}")));
        return expectedVersion < 0 ? append.build() : append.setExpectedVersion(expectedVersion).build();
    }

    /** The responses to {@code request} alone on a call of its own, merged. */
    private static AppendStreamResponse answer(LedgerServiceGrpc.LedgerServiceStub stub, AppendStreamRequest request)
            throws InterruptedException {
        AppendStreamResponse.Builder merged = AppendStreamResponse.newBuilder();
        CountDownLatch ended = new CountDownLatch(1);
        StreamObserver<AppendStreamRequest> requests = stub.appendStream(new StreamObserver<>() {
            @Override
            public void onNext(AppendStreamResponse response) {
                synchronized (merged) {
                    merged.mergeFrom(response);
                }
            }

            @Override
            public void onError(Throwable t) {
                ended.countDown();
            }

            @Override
            public void onCompleted() {
                ended.countDown();
            }
        });
        requests.onNext(request);
        requests.onCompleted();
        assertTrue(ended.await(10, TimeUnit.SECONDS), "the call ends once every append is answered");
        synchronized (merged) {
            return merged.build();
        }
    }

    /** A client that sends and never reads its answers holds the server to a bounded window. */
    @Test
    void shouldStopTakingAppendsFromAClientThatDoesNotReadItsAnswers() throws Exception {
        try (ServerFixture f = new ServerFixture(dir)) {
            String token = f.token("bot", "selfies-*", Verb.APPEND);
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", f.server.grpcPort()).usePlaintext()
                .flowControlWindow(64 * 1024).build();
            try {
                CountDownLatch ended = new CountDownLatch(1);
                AtomicInteger answers = new AtomicInteger();
                // Manual inbound flow control with no request: the client takes no answer at all.
                var stub = authorized(channel, token);
                var requests = (io.grpc.stub.ClientCallStreamObserver<AppendStreamRequest>) stub.appendStream(
                    new io.grpc.stub.ClientResponseObserver<AppendStreamRequest, AppendStreamResponse>() {
                        @Override
                        public void beforeStart(io.grpc.stub.ClientCallStreamObserver<AppendStreamRequest> call) {
                            call.disableAutoRequestWithInitial(0);
                        }

                        @Override
                        public void onNext(AppendStreamResponse value) {
                            answers.incrementAndGet();
                        }

                        @Override
                        public void onError(Throwable t) {
                            ended.countDown();
                        }

                        @Override
                        public void onCompleted() {
                            ended.countDown();
                        }
                    });
                int sent = 20 * 4_096;
                NewEvent event = NewEvent.newBuilder().setType("note.added").setContentType(dev.indelible.server.api.ContentType.JSON)
                    .setPayload(com.google.protobuf.ByteString.copyFromUtf8("{\"n\": 1}")).build();
                for (int i = 0; i < sent; i += 64) {
                    AppendStreamRequest.Builder request = AppendStreamRequest.newBuilder();
                    for (int j = i; j < i + 64; j++) {
                        request.addAppends(StreamedAppend.newBuilder().setCorrelationId(j)
                            .setAppend(AppendRequest.newBuilder().setStream("selfies-notes").addEvents(event)));
                    }
                    requests.onNext(request.build());
                }
                long taken = waitForStableHead(f.ledger);
                assertTrue(taken >= 1 && taken < sent, "the server took " + taken + " of " + sent + " appends whose answers are unread");
                assertEquals(0, answers.get());
                // A well-behaved client is served meanwhile.
                try (IndelibleClient other = IndelibleClient.connect("127.0.0.1", f.server.grpcPort(), token)) {
                    assertInstanceOf(AppendResult.Appended.class, other.append("selfies-user-1", ExpectedVersion.ANY, selfie(1, "ok")));
                }
                requests.cancel("done", null);
                assertTrue(ended.await(10, TimeUnit.SECONDS));
                System.out.printf("a client that never reads: the server took %,d of %,d appends%n", taken, sent);
            } finally {
                channel.shutdownNow();
            }
        }
    }

    /** The server killed with kill -9 under appendAsync: the client resends with the same ids, nothing stored twice. */
    @Test
    void shouldResendUnansweredAppendsToARestartedServerAndStoreEachOnce() throws Exception {
        String token;
        try (Ledger ledger = Ledger.open(dir, DomainEvents.register(LedgerConfig.builder()).build())) {
            token = Tokens.open(dir).create("bot", List.of("selfies-*"), EnumSet.of(Verb.APPEND)).secret();
        }
        int grpcPort;
        try (ServerSocket free = new ServerSocket(0)) {
            grpcPort = free.getLocalPort();
        }
        int threads = 4;
        int perThread = 1_000;
        List<CompletableFuture<AppendResult>> futures = new ArrayList<>();
        ChildJvm server = start(grpcPort);
        try (IndelibleClient client = IndelibleClient.connect("127.0.0.1", grpcPort, token)) {
            AtomicInteger acknowledged = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            List<Future<List<CompletableFuture<AppendResult>>>> sent = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long user = 200 + t;
                sent.add(pool.submit(() -> {
                    List<CompletableFuture<AppendResult>> mine = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                        mine.add(client.appendAsync("selfies-user-" + user, ExpectedVersion.ANY, selfie(user, "f" + i))
                            .whenComplete((r, e) -> acknowledged.incrementAndGet()));
                    }
                    return mine;
                }));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (acknowledged.get() < threads * perThread / 4 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertTrue(acknowledged.get() >= threads * perThread / 4, "a quarter answered before the kill");
            server.kill9();
            server = start(grpcPort);
            for (Future<List<CompletableFuture<AppendResult>>> f : sent) {
                futures.addAll(f.get(120, TimeUnit.SECONDS));
            }
            for (CompletableFuture<AppendResult> future : futures) {
                assertInstanceOf(AppendResult.Appended.class, future.get(120, TimeUnit.SECONDS));
            }
            pool.shutdown();
        } finally {
            server.kill9();
        }
        try (Ledger ledger = Ledger.open(dir, DomainEvents.register(LedgerConfig.builder()).build())) {
            for (int t = 0; t < threads; t++) {
                List<RecordedEvent> stream = ledger.readStream("selfies-user-" + (200 + t), 0, perThread + 1);
                assertEquals(perThread, stream.size(), "each event of thread " + t + " once");
                for (int i = 0; i < perThread; i++) {
                    assertEquals("f" + i, SelfieSubmitted.parseFrom(stream.get(i).payload()).getFileId(), "thread " + t + "'s order");
                }
            }
            assertTrue(ledger.verify().ok());
        }
    }

    private ChildJvm start(int grpcPort) throws Exception {
        ChildJvm server = ChildJvm.start(ServerMain.class, dir.resolve("server-stderr.txt"), dir.toString(), "0",
            Integer.toString(grpcPort));
        server.awaitLines(1, 60);
        return server;
    }

    /** The head once it has not moved for half a second (the server stopped taking appends), within 30 s. */
    private static long waitForStableHead(Ledger ledger) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        long last = -1;
        long since = System.nanoTime();
        while (System.nanoTime() < deadline) {
            long head = ledger.head();
            if (head != last) {
                last = head;
                since = System.nanoTime();
            } else if (head > 0 && System.nanoTime() - since > TimeUnit.MILLISECONDS.toNanos(500)) {
                return head;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("the head kept moving for 30 s: " + last);
    }

    private static Throwable failure(CompletableFuture<AppendResult> future) {
        try {
            future.join();
            throw new AssertionError("expected a failure, got " + future.join());
        } catch (CompletionException e) {
            return e.getCause();
        }
    }
}
