package dev.indelible.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.indelible.server.api.LedgerServiceGrpc;
import dev.indelible.server.api.StatusRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The standard health and reflection services on the gRPC port, without a token; everything else still needs one. */
class GrpcHealthTest {
    private static final String LEDGER_SERVICE = "indelible.api.v1.LedgerService";

    @TempDir
    Path dir;

    @Test
    void shouldAnswerHealthAndReflectionWithoutATokenAndNothingElse() throws Exception {
        ServerFixture f = new ServerFixture(dir);
        ManagedChannel channel = GrpcChannels.open(f.server.grpcPort());
        try {
            HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
            for (String service : List.of("", LEDGER_SERVICE)) {
                assertEquals(ServingStatus.SERVING, health.check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus());
            }
            StatusRuntimeException unknown = assertThrows(StatusRuntimeException.class,
                () -> health.check(HealthCheckRequest.newBuilder().setService("no.such.Service").build()));
            assertEquals(Status.Code.NOT_FOUND, unknown.getStatus().getCode());

            StatusRuntimeException noToken = assertThrows(StatusRuntimeException.class,
                () -> LedgerServiceGrpc.newBlockingStub(channel).status(StatusRequest.getDefaultInstance()));
            assertEquals(Status.Code.UNAUTHENTICATED, noToken.getStatus().getCode());

            assertTrue(reflectedServices(channel).contains(LEDGER_SERVICE), "reflection lists the LedgerService");

            // a watcher (a load balancer) sees NOT_SERVING once close begins, and its watch does not hold up the close
            BlockingQueue<Object> watched = new LinkedBlockingQueue<>();
            HealthGrpc.newStub(channel).watch(HealthCheckRequest.newBuilder().setService(LEDGER_SERVICE).build(), collect(watched));
            assertEquals(ServingStatus.SERVING, ((HealthCheckResponse) watched.poll(20, TimeUnit.SECONDS)).getStatus());
            long closing = System.nanoTime();
            CompletableFuture<Void> closed = CompletableFuture.runAsync(f::close);
            assertEquals(ServingStatus.NOT_SERVING, ((HealthCheckResponse) watched.poll(20, TimeUnit.SECONDS)).getStatus());
            assertEquals(Status.Code.UNAVAILABLE, Status.fromThrowable((Throwable) watched.poll(20, TimeUnit.SECONDS)).getCode());
            closed.get(30, TimeUnit.SECONDS);
            assertTrue(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - closing) < 5, "closed without waiting out the drain");

            StatusRuntimeException stopped = assertThrows(StatusRuntimeException.class,
                () -> health.check(HealthCheckRequest.newBuilder().setService(LEDGER_SERVICE).build()));
            assertEquals(Status.Code.UNAVAILABLE, stopped.getStatus().getCode());
        } finally {
            channel.shutdownNow();
            f.close();
        }
    }

    @Test
    void shouldAnswerNotServingOnceTheLedgerClosed() throws Exception {
        try (ServerFixture f = new ServerFixture(dir)) {
            ManagedChannel channel = GrpcChannels.open(f.server.grpcPort());
            try {
                BlockingQueue<Object> watched = new LinkedBlockingQueue<>();
                HealthGrpc.newStub(channel).watch(HealthCheckRequest.newBuilder().setService(LEDGER_SERVICE).build(), collect(watched));
                assertEquals(ServingStatus.SERVING, ((HealthCheckResponse) watched.poll(20, TimeUnit.SECONDS)).getStatus());
                f.engine.close();
                f.ledger.close(); // as after a failed sync
                Object next = watched.poll(20, TimeUnit.SECONDS);
                assertTrue(next instanceof HealthCheckResponse r && r.getStatus() == ServingStatus.NOT_SERVING,
                    "NOT_SERVING within 20 s of the ledger closing: " + next);
            } finally {
                channel.shutdownNow();
            }
        }
    }

    private static List<String> reflectedServices(ManagedChannel channel) throws Exception {
        BlockingQueue<Object> answers = new LinkedBlockingQueue<>();
        StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(channel).serverReflectionInfo(collect(answers));
        requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
        Object answer = answers.poll(20, TimeUnit.SECONDS);
        requests.onCompleted();
        assertTrue(answer instanceof ServerReflectionResponse, String.valueOf(answer));
        return ((ServerReflectionResponse) answer).getListServicesResponse().getServiceList().stream()
            .map(ServiceResponse::getName).toList();
    }

    /** Messages, then the error or "completed", in order. */
    private static <T> StreamObserver<T> collect(BlockingQueue<Object> into) {
        return new StreamObserver<>() {
            @Override
            public void onNext(T value) {
                into.add(value);
            }

            @Override
            public void onError(Throwable t) {
                into.add(t);
            }

            @Override
            public void onCompleted() {
                into.add("completed");
            }
        };
    }
}
