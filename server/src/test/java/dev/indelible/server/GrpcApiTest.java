package dev.indelible.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Timestamp;
import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.EventId;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.InvalidEventException;
import dev.indelible.projections.proto.SelfieSubmitted;
import dev.indelible.projections.reference.DomainEvents;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GrpcApiTest {
    @TempDir
    Path dir;

    static EventData selfie(long user, String fileId) {
        return DomainEvents.event(DomainEvents.SELFIE_SUBMITTED, SelfieSubmitted.newBuilder().setUserId(user)
            .setMediaType("photo").setFileId(fileId).setSubmittedAt(Timestamp.newBuilder().setSeconds(1_762_258_020L)).build());
    }

    @Test
    void shouldAnswerConflictsAndBadInputAsTheEmbeddedApiDoesAndAppendNothing() {
        try (ServerFixture f = new ServerFixture(dir, ServerConfig.defaults().withLimits(4_096, 10));
             IndelibleClient ledger = IndelibleClient.connect("127.0.0.1", f.server.grpcPort(),
                 f.token("bot", "selfies-*", Verb.APPEND, Verb.READ))) {
            EventData first = selfie(7, "f1").withEventId(EventId.parse("0b6c5f4e-1b1f-4c8e-9a55-3c7f1d2e9a01"));
            AppendResult.Appended appended = assertInstanceOf(AppendResult.Appended.class,
                ledger.append("selfies-user-7", ExpectedVersion.NO_STREAM, first));
            AppendResult.Appended retry = assertInstanceOf(AppendResult.Appended.class,
                ledger.append("selfies-user-7", ExpectedVersion.NO_STREAM, first));
            assertTrue(retry.duplicate());
            assertEquals(appended.firstGlobalSeq(), retry.firstGlobalSeq());
            long head = f.ledger.head();
            AppendResult.WrongExpectedVersion wrong = assertInstanceOf(AppendResult.WrongExpectedVersion.class,
                ledger.append("selfies-user-7", ExpectedVersion.NO_STREAM, selfie(7, "f2")));
            assertEquals(0, wrong.actualVersion());
            AppendResult.EventIdConflict conflict = assertInstanceOf(AppendResult.EventIdConflict.class,
                ledger.append("selfies-user-7", ExpectedVersion.ANY, selfie(7, "other").withEventId(first.eventId())));
            assertEquals(appended.firstGlobalSeq(), conflict.existingGlobalSeq());
            InvalidEventException invalid = assertThrows(InvalidEventException.class, () -> ledger.append("selfies-user-7",
                ExpectedVersion.ANY, EventData.protobuf(DomainEvents.SELFIE_SUBMITTED, SelfieSubmitted.newBuilder().setUserId(7).build().toByteArray())));
            assertEquals("events[0].data.media_type", invalid.field(), "named as over HTTP: " + invalid.getMessage());
            assertThrows(InvalidEventException.class, () -> ledger.append("selfies-user-7", ExpectedVersion.ANY,
                EventData.json("note.added", "[1, 2]".getBytes(StandardCharsets.UTF_8))));
            IndelibleClient.RequestFailedException tooBig = assertThrows(IndelibleClient.RequestFailedException.class,
                () -> ledger.append("selfies-user-7", ExpectedVersion.ANY, selfie(7, "x".repeat(5_000))));
            assertEquals("RESOURCE_EXHAUSTED", tooBig.code());
            IndelibleClient.RequestFailedException forbidden = assertThrows(IndelibleClient.RequestFailedException.class,
                () -> ledger.append("accounts-1", ExpectedVersion.ANY, selfie(7, "f3")));
            assertEquals("PERMISSION_DENIED", forbidden.code());
            IndelibleClient.RequestFailedException unknown = assertThrows(IndelibleClient.RequestFailedException.class,
                () -> ledger.readStream("selfies-nobody", 0, 10));
            assertEquals("NOT_FOUND", unknown.code());
            assertEquals(head, f.ledger.head(), "nothing appended");
        }
    }

    @Test
    void shouldRefuseMissingWrongAndRevokedTokens() {
        try (ServerFixture f = new ServerFixture(dir)) {
            String token = f.token("bot", "selfies-*", Verb.APPEND);
            for (String bad : List.of("", "idl_0000000000000000_nope", token.substring(0, token.length() - 1) + "x")) {
                try (IndelibleClient ledger = IndelibleClient.connect("127.0.0.1", f.server.grpcPort(), bad)) {
                    IndelibleClient.RequestFailedException refused = assertThrows(IndelibleClient.RequestFailedException.class,
                        () -> ledger.append("selfies-user-7", ExpectedVersion.ANY, selfie(7, "f")));
                    assertEquals("UNAUTHENTICATED", refused.code());
                }
            }
            f.tokens.revoke("bot");
            try (IndelibleClient ledger = IndelibleClient.connect("127.0.0.1", f.server.grpcPort(), token)) {
                assertEquals("UNAUTHENTICATED", assertThrows(IndelibleClient.RequestFailedException.class,
                    () -> ledger.append("selfies-user-7", ExpectedVersion.ANY, selfie(7, "f"))).code());
            }
            assertEquals(0, f.ledger.head());
        }
    }

    @Test
    void shouldReadAndSubscribeFromAPositionOverOnePartitionAsFromItsGlobalSeq() throws Exception {
        try (ServerFixture f = new ServerFixture(dir);
             IndelibleClient client = IndelibleClient.connect("127.0.0.1", f.server.grpcPort(),
                 f.token("reader", "selfies-*", Verb.APPEND, Verb.READ))) {
            for (int i = 0; i < 3; i++) {
                client.append("selfies-user-7", ExpectedVersion.ANY, selfie(7, "p" + i));
            }
            List<PositionedEvent> page = client.read("0", 2);
            assertEquals(2, page.size());
            for (PositionedEvent e : page) {
                assertEquals(0, e.partition());
                assertEquals(Long.toString(e.event().globalSeq() + 1), e.next(), "next: the global_seq after it");
            }
            long third = page.get(1).event().globalSeq() + 1;
            assertEquals(List.of(third), client.read(page.get(1).next(), 10).stream().map(e -> e.event().globalSeq()).toList());
            java.util.concurrent.LinkedBlockingQueue<PositionedEvent> followed = new java.util.concurrent.LinkedBlockingQueue<>();
            try (AutoCloseable subscription = client.subscribe(Long.toString(third), followed::add, t -> { })) {
                PositionedEvent e = followed.poll(30, java.util.concurrent.TimeUnit.SECONDS);
                assertTrue(e != null && e.event().globalSeq() == third && e.next().equals(Long.toString(third + 1)),
                    String.valueOf(e));
            }
            assertEquals("from_positions", assertThrows(InvalidEventException.class, () -> client.read("1,0", 10)).field());
        }
    }

    @Test
    void shouldEndAnOpenSubscriptionWithinASecondOfItsTokenBeingRevoked() throws Exception {
        try (ServerFixture f = new ServerFixture(dir)) {
            String token = f.token("follower", "selfies-*", Verb.APPEND, Verb.READ);
            List<Long> received = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
            java.util.concurrent.CountDownLatch first = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch ended = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.atomic.AtomicReference<Throwable> why = new java.util.concurrent.atomic.AtomicReference<>();
            try (IndelibleClient client = IndelibleClient.connect("127.0.0.1", f.server.grpcPort(), token);
                 AutoCloseable subscription = client.subscribe(0, e -> {
                     received.add(e.globalSeq());
                     first.countDown();
                 }, t -> {
                     why.set(t);
                     ended.countDown();
                 })) {
                f.ledger.append("selfies-user-7", ExpectedVersion.ANY, selfie(7, "before"));
                assertTrue(first.await(30, java.util.concurrent.TimeUnit.SECONDS), "the subscription delivers");
                assertEquals(List.of(0L), received);

                long revoked = System.nanoTime();
                Tokens.open(dir).revoke("follower"); // as `indelible token revoke` does, from its own file handle
                assertTrue(ended.await(5, java.util.concurrent.TimeUnit.SECONDS), "the subscription ends after a revoke");
                long tookMillis = (System.nanoTime() - revoked) / 1_000_000;
                assertTrue(tookMillis < 1_000, "ended " + tookMillis + " ms after the revoke");
                assertTrue(String.valueOf(why.get()).contains("UNAUTHENTICATED"), String.valueOf(why.get()));
                f.ledger.append("selfies-user-7", ExpectedVersion.ANY, selfie(7, "after"));
                assertEquals(List.of(0L), received, "nothing reaches a revoked token");
            }
        }
    }

    @Test
    void shouldRefuseAVersionPastTheLargestAndAnUnknownExpectNamingTheField() throws Exception {
        try (ServerFixture f = new ServerFixture(dir)) {
            String token = f.token("bot", "selfies-*", Verb.APPEND);
            try (RawGrpc raw = new RawGrpc(f.server.grpcPort(), token)) {
                var stub = raw.stub;
                var event = dev.indelible.server.api.NewEvent.newBuilder().setType("note.added")
                    .setContentType(dev.indelible.server.api.ContentType.JSON)
                    .setPayload(com.google.protobuf.ByteString.copyFromUtf8("{}"));
                // 2^64 - 2 read as a signed long is -2, the ledger's ANY
                var wrapped = dev.indelible.server.api.AppendRequest.newBuilder().setStream("selfies-user-7")
                    .setExpectedVersion(-2L).addEvents(event).build();
                io.grpc.StatusRuntimeException tooBig = assertThrows(io.grpc.StatusRuntimeException.class, () -> stub.append(wrapped));
                assertEquals(io.grpc.Status.Code.INVALID_ARGUMENT, tooBig.getStatus().getCode());
                assertTrue(tooBig.getStatus().getDescription().startsWith("expected_version: is 18446744073709551614"),
                    tooBig.getStatus().getDescription());
                var unknown = dev.indelible.server.api.AppendRequest.newBuilder().setStream("selfies-user-7")
                    .setExpectValue(7).addEvents(event).build();
                io.grpc.StatusRuntimeException badExpect = assertThrows(io.grpc.StatusRuntimeException.class, () -> stub.append(unknown));
                assertEquals(io.grpc.Status.Code.INVALID_ARGUMENT, badExpect.getStatus().getCode());
                assertTrue(badExpect.getStatus().getDescription().startsWith("expect: "), badExpect.getStatus().getDescription());
                assertEquals(0, f.ledger.head());
            }
        }
    }

    @Test
    void shouldTakeADomainEventAsJsonAndNameItsFieldsAsHttpDoes() throws Exception {
        try (ServerFixture f = new ServerFixture(dir)) {
            String token = f.token("bot", "selfies-*", Verb.APPEND);
            try (RawGrpc raw = new RawGrpc(f.server.grpcPort(), token)) {
                var stub = raw.stub;
                var appended = stub.append(request("{\"user_id\": 7, \"media_type\": \"photo\", \"file_id\": \"f\","
                    + " \"submitted_at\": \"2025-11-04T12:07:00Z\"}", dev.indelible.server.api.ContentType.JSON));
                assertEquals(0, appended.getFirstGlobalSeq());
                assertEquals(dev.indelible.ledger.ContentType.PROTOBUF, f.ledger.read(0, 1).get(0).contentType(),
                    "stored as its Protobuf message, as over HTTP");

                io.grpc.StatusRuntimeException json = assertThrows(io.grpc.StatusRuntimeException.class, () -> stub.append(
                    request("{\"user_id\": 7, \"file_id\": \"f\", \"submitted_at\": \"2025-11-04T12:07:00Z\"}",
                        dev.indelible.server.api.ContentType.JSON)));
                assertTrue(json.getStatus().getDescription().startsWith("events[0].data.media_type: is required"),
                    json.getStatus().getDescription());
                byte[] noFile = SelfieSubmitted.newBuilder().setUserId(7).setMediaType("photo")
                    .setSubmittedAt(Timestamp.newBuilder().setSeconds(1)).build().toByteArray();
                io.grpc.StatusRuntimeException protobuf = assertThrows(io.grpc.StatusRuntimeException.class, () -> stub.append(
                    dev.indelible.server.api.AppendRequest.newBuilder().setStream("selfies-user-7").addEvents(
                        dev.indelible.server.api.NewEvent.newBuilder().setType("selfie.submitted")
                            .setContentType(dev.indelible.server.api.ContentType.PROTOBUF)
                            .setPayload(com.google.protobuf.ByteString.copyFrom(noFile))).build()));
                assertTrue(protobuf.getStatus().getDescription().startsWith("events[0].data.file_id: is required"),
                    protobuf.getStatus().getDescription());
                assertEquals(1, f.ledger.head());
            }
        }
    }

    private static dev.indelible.server.api.AppendRequest request(String json, dev.indelible.server.api.ContentType type) {
        return dev.indelible.server.api.AppendRequest.newBuilder().setStream("selfies-user-7").addEvents(
            dev.indelible.server.api.NewEvent.newBuilder().setType("selfie.submitted").setContentType(type)
                .setPayload(com.google.protobuf.ByteString.copyFromUtf8(json))).build();
    }

    /** The generated blocking stub with a bearer token, for what IndelibleClient cannot send (wrapped versions, unknown enums). */
    private static final class RawGrpc implements AutoCloseable {
        final io.grpc.ManagedChannel channel;
        final dev.indelible.server.api.LedgerServiceGrpc.LedgerServiceBlockingStub stub;

        RawGrpc(int port, String token) {
            channel = io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
            io.grpc.Metadata headers = new io.grpc.Metadata();
            headers.put(io.grpc.Metadata.Key.of("authorization", io.grpc.Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
            stub = dev.indelible.server.api.LedgerServiceGrpc.newBlockingStub(channel)
                .withInterceptors(io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(headers))
                .withDeadlineAfter(60, java.util.concurrent.TimeUnit.SECONDS);
        }

        @Override
        public void close() throws InterruptedException {
            channel.shutdownNow();
            assertTrue(channel.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS), "channel closed");
        }
    }
}
