package dev.indelible.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.EventId;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.server.api.AppendOutcome;
import dev.indelible.server.api.AppendRequest;
import dev.indelible.server.api.AppendStreamRequest;
import dev.indelible.server.api.AppendStreamResponse;
import dev.indelible.server.api.Appended;
import dev.indelible.server.api.LedgerServiceGrpc;
import dev.indelible.server.api.StreamedAppend;
import dev.indelible.server.api.StreamedOutcome;
import dev.indelible.server.internal.AppendForms;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which {@code AppendStreamRequest} forms a server makes, and the Java client's choice of form by what it says. */
class AppendFormsTest {
    @TempDir
    Path dir;

    @Test
    void shouldAnnounceBatchAndSinglesAsAnAppendStreamCallStartsBeforeAnyAnswer() throws Exception {
        try (ServerFixture f = new ServerFixture(dir)) {
            ManagedChannel channel = GrpcChannels.open(f.server.grpcPort());
            AtomicReference<Metadata> headers = new AtomicReference<>();
            Metadata auth = new Metadata();
            auth.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER),
                "Bearer " + f.token("bot", "selfies-*", Verb.APPEND));
            StreamObserver<AppendStreamRequest> requests = LedgerServiceGrpc.newStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(auth),
                    MetadataUtils.newCaptureMetadataInterceptor(headers, new AtomicReference<>()))
                .appendStream(new Ignored());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (headers.get() == null && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertNotNull(headers.get(), "headers within 10 s of the call, with nothing sent");
            assertTrue(AppendForms.columns(headers.get()), headers.get().toString());
            requests.onCompleted();
            channel.shutdownNow();
        }
    }

    /** On a client that sends batch or singles regardless, these appends go unanswered for two minutes. */
    @Test
    void shouldSendEachAppendAsAStreamedAppendToAServerThatDoesNotNameTheColumns() throws Exception {
        OldServer old = new OldServer();
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(old).build().start();
        try (IndelibleClient client = IndelibleClient.connect("127.0.0.1", server.getPort(), "any")) {
            List<CompletableFuture<AppendResult>> sent = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                EventData event = EventData.json("selfie.recorded", ("{\"i\":" + i + "}").getBytes(StandardCharsets.UTF_8))
                    .withEventId(EventId.random());
                sent.add(client.appendAsync("selfies-user-" + i % 6, ExpectedVersion.ANY,
                    i % 4 == 0 ? event.withMetadata(Map.of("i", "" + i)) : event)); // a batch's form and a single's
            }
            for (CompletableFuture<AppendResult> appended : sent) {
                assertInstanceOf(AppendResult.Appended.class, appended.get(10, TimeUnit.SECONDS));
            }
            assertEquals(60, old.taken.size(), "each append once");
            for (int user = 0; user < 6; user++) {
                String stream = "selfies-user-" + user;
                List<String> payloads = old.taken.stream().filter(a -> a.getStream().equals(stream))
                    .map(a -> a.getEvents(0).getPayload().toStringUtf8()).toList();
                assertEquals(10, payloads.size());
                for (int k = 0; k < 10; k++) {
                    assertEquals("{\"i\":" + (user + 6 * k) + "}", payloads.get(k), stream + "'s order");
                }
            }
        } finally {
            server.shutdownNow();
        }
    }

    /** A server from before {@code batch} and {@code singles}: it answers {@code appends} only, and announces nothing. */
    private static final class OldServer extends LedgerServiceGrpc.LedgerServiceImplBase {
        final Queue<AppendRequest> taken = new ConcurrentLinkedQueue<>();
        final AtomicLong head = new AtomicLong();

        @Override
        public StreamObserver<AppendStreamRequest> appendStream(StreamObserver<AppendStreamResponse> responses) {
            return new StreamObserver<>() {
                @Override
                public void onNext(AppendStreamRequest request) {
                    AppendStreamResponse.Builder answer = AppendStreamResponse.newBuilder();
                    for (StreamedAppend one : request.getAppendsList()) {
                        taken.add(one.getAppend());
                        answer.addOutcomes(StreamedOutcome.newBuilder().setCorrelationId(one.getCorrelationId())
                            .setOutcome(AppendOutcome.newBuilder().setAppended(Appended.newBuilder()
                                .setStream(one.getAppend().getStream()).setFirstGlobalSeq(head.getAndIncrement()).setCount(1))));
                    }
                    responses.onNext(answer.build());
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onCompleted() {
                    responses.onCompleted();
                }
            };
        }
    }

    private static final class Ignored implements StreamObserver<AppendStreamResponse> {
        @Override
        public void onNext(AppendStreamResponse response) {
        }

        @Override
        public void onError(Throwable t) {
        }

        @Override
        public void onCompleted() {
        }
    }
}
