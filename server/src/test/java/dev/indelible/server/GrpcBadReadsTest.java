package dev.indelible.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.server.api.Event;
import dev.indelible.server.api.LedgerServiceGrpc;
import dev.indelible.server.api.ReadRequest;
import dev.indelible.server.api.StreamPosition;
import dev.indelible.server.api.SubscribeRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad Read and Subscribe requests answer a status naming the field (never UNKNOWN), and nothing logs a stack trace. */
class GrpcBadReadsTest {
    private static final long UINT64_MAX = -1L;
    private static final int UINT32_MAX = -1;

    @TempDir
    Path dir;

    @Test
    void shouldAnswerBadReadsAndSubscribesWithTheFieldAndLogNoStackTrace() throws Exception {
        try (LogCapture logs = new LogCapture()) {
            try (ServerFixture f = new ServerFixture(dir)) {
                String token = f.token("reader", "*", Verb.APPEND, Verb.READ);
                String narrow = f.token("narrow", "selfies-*", Verb.READ);
                try (IndelibleClient client = IndelibleClient.connect("127.0.0.1", f.server.grpcPort(), token)) {
                    client.append("selfies-user-7", ExpectedVersion.ANY, GrpcApiTest.selfie(7, "f"));
                }
                ManagedChannel channel = GrpcChannels.open(f.server.grpcPort());
                try {
                    LedgerServiceGrpc.LedgerServiceBlockingStub ledger = GrpcChannels.ledger(channel, token)
                        .withDeadlineAfter(20, TimeUnit.SECONDS);
                    expect(Status.Code.INVALID_ARGUMENT, "stream: must not be empty", read(ledger, stream("", 0)));
                    expect(Status.Code.INVALID_ARGUMENT, "stream: must not contain control characters", read(ledger, stream("selfies-a\n", 0)));
                    expect(Status.Code.INVALID_ARGUMENT, "stream: is 5000 UTF-8 bytes", read(ledger, stream("x".repeat(5_000), 0)));
                    expect(Status.Code.NOT_FOUND, "stream: stream selfies-nobody has no events", read(ledger, stream("selfies-nobody", 0)));
                    expect(Status.Code.PERMISSION_DENIED, "stream: token narrow may not read",
                        read(GrpcChannels.ledger(channel, narrow), stream("accounts-1", 0)));
                    expect(Status.Code.INVALID_ARGUMENT, "from_version: is 18446744073709551615",
                        read(ledger, stream("selfies-user-7", UINT64_MAX)));
                    expect(Status.Code.INVALID_ARGUMENT, "from_global_seq: is 18446744073709551615",
                        read(ledger, ReadRequest.newBuilder().setFromGlobalSeq(UINT64_MAX).build()));
                    expect(Status.Code.INVALID_ARGUMENT, "limit: must be at most 1000 (0: 1000), was 1001",
                        read(ledger, ReadRequest.newBuilder().setLimit(1_001).build()));
                    expect(Status.Code.INVALID_ARGUMENT, "limit: must be at most 1000 (0: 1000), was 4294967295",
                        read(ledger, ReadRequest.newBuilder().setLimit(UINT32_MAX).build()));
                    expect(Status.Code.INVALID_ARGUMENT, "from_global_seq: is 18446744073709551615",
                        subscribe(ledger, SubscribeRequest.newBuilder().setFromGlobalSeq(UINT64_MAX).build()));
                    expect(Status.Code.INVALID_ARGUMENT, "stream_prefix: must not contain control characters (at index 7)",
                        subscribe(ledger, SubscribeRequest.newBuilder().setStreamPrefix("selfies\0").build()));
                    expect(Status.Code.INVALID_ARGUMENT, "stream_prefix: is 5000 UTF-8 bytes",
                        subscribe(ledger, SubscribeRequest.newBuilder().setStreamPrefix("x".repeat(5_000)).build()));
                    // a read past the head is an empty page, as over HTTP
                    assertEquals(0, count(ledger.read(ReadRequest.newBuilder().setFromGlobalSeq(1_000).build())));
                    assertEquals(0, count(ledger.read(stream("selfies-user-7", 1_000))));
                } finally {
                    channel.shutdownNow();
                }
                cancelSubscriptions(f, token);
            }
            assertEquals("", logs.problems(), "no warning, error or stack trace logged");
        }
    }

    /** A client that cancels its subscription, or drops its connection, mid-stream is normal: nothing to log. */
    private static void cancelSubscriptions(ServerFixture f, String token) throws Exception {
        try (IndelibleClient client = IndelibleClient.connect("127.0.0.1", f.server.grpcPort(), token)) {
            client.append("selfies-user-8", ExpectedVersion.ANY, java.util.stream.IntStream.range(0, 500)
                .mapToObj(i -> GrpcApiTest.selfie(8, "g" + i)).toList()); // enough that a cancel comes mid-stream
            for (int round = 0; round < 3; round++) {
                CountDownLatch received = new CountDownLatch(1);
                CountDownLatch ended = new CountDownLatch(1);
                AutoCloseable subscription = client.subscribe(0, e -> received.countDown(), t -> ended.countDown());
                assertTrue(received.await(20, TimeUnit.SECONDS), "an event arrived");
                subscription.close();
                assertTrue(ended.await(20, TimeUnit.SECONDS), "the subscription ended");
            }
        }
        ManagedChannel dropped = GrpcChannels.open(f.server.grpcPort());
        Iterator<Event> events = GrpcChannels.ledger(dropped, token).subscribe(SubscribeRequest.getDefaultInstance());
        events.next();
        dropped.shutdownNow();
        assertTrue(dropped.awaitTermination(20, TimeUnit.SECONDS));
    }

    private static StatusRuntimeException read(LedgerServiceGrpc.LedgerServiceBlockingStub ledger, ReadRequest request) {
        return refused(() -> count(ledger.read(request)));
    }

    private static StatusRuntimeException subscribe(LedgerServiceGrpc.LedgerServiceBlockingStub ledger, SubscribeRequest request) {
        return refused(() -> count(ledger.subscribe(request)));
    }

    private static StatusRuntimeException refused(Supplier<Integer> call) {
        return assertThrows(StatusRuntimeException.class, call::get);
    }

    private static void expect(Status.Code code, String descriptionStart, StatusRuntimeException refused) {
        Status status = refused.getStatus();
        assertEquals(code, status.getCode(), String.valueOf(status));
        assertTrue(status.getDescription() != null && status.getDescription().startsWith(descriptionStart), String.valueOf(status));
    }

    private static ReadRequest stream(String stream, long fromVersion) {
        return ReadRequest.newBuilder().setStream(StreamPosition.newBuilder().setStream(stream).setFromVersion(fromVersion)).build();
    }

    private static int count(Iterator<Event> events) {
        int n = 0;
        while (events.hasNext()) {
            events.next();
            n++;
        }
        return n;
    }
}
