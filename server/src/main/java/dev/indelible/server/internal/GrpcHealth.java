package dev.indelible.server.internal;

import dev.indelible.ledger.DaemonThreads;
import dev.indelible.server.api.LedgerServiceGrpc;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.protobuf.services.HealthStatusManager;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The standard gRPC health service (grpc.health.v1) for "" and the LedgerService: SERVING while
 * {@code ready} says so (as HTTP's {@code GET /health/ready}), looked at every second; NOT_SERVING
 * for good once the server begins to stop. Tells nothing but the status, so it needs no token.
 */
final class GrpcHealth {
    private static final long REFRESH_MILLIS = 1_000;

    private final HealthStatusManager manager = new HealthStatusManager();
    private final BooleanSupplier ready;
    private final ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("indelible-grpc-health"));
    /** Open Watch calls: ended when the server stops, or they would hold its drain until the timeout. */
    private final Set<EndableCall<?, ?>> watches = ConcurrentHashMap.newKeySet();

    GrpcHealth(BooleanSupplier ready) {
        this.ready = ready;
        // the manager starts with "" SERVING: not before the server listens
        manager.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, ServingStatus.NOT_SERVING);
        manager.setStatus(LedgerServiceGrpc.SERVICE_NAME, ServingStatus.NOT_SERVING);
    }

    ServerServiceDefinition service() {
        return ServerInterceptors.intercept(manager.getHealthService(), new ServerInterceptor() {
            @Override
            public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
                if (!call.getMethodDescriptor().equals(HealthGrpc.getWatchMethod())) {
                    return next.startCall(call, headers);
                }
                EndableCall<Q, A> watch = new EndableCall<>(call);
                watches.add(watch);
                return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next.startCall(watch, headers)) {
                    @Override
                    public void onCancel() {
                        watches.remove(watch);
                        super.onCancel();
                    }

                    @Override
                    public void onComplete() {
                        watches.remove(watch);
                        super.onComplete();
                    }
                };
            }
        });
    }

    void start() {
        refresh();
        refresher.scheduleWithFixedDelay(this::refresh, REFRESH_MILLIS, REFRESH_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** NOT_SERVING from now on (watchers are told), then open watches end with UNAVAILABLE. */
    void stopping() {
        refresher.shutdownNow();
        manager.enterTerminalState();
        watches.forEach(EndableCall::end);
    }

    private void refresh() {
        boolean serving;
        try {
            serving = ready.getAsBoolean();
        } catch (RuntimeException closed) { // e.g. the ledger closed after a failed sync
            serving = false;
        }
        ServingStatus status = serving ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
        manager.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, status);
        manager.setStatus(LedgerServiceGrpc.SERVICE_NAME, status);
    }

    /** A call that another thread may end: its methods are serialized, and nothing is sent once it ended. */
    private static final class EndableCall<Q, A> extends ForwardingServerCall.SimpleForwardingServerCall<Q, A> {
        private boolean closed;

        EndableCall(ServerCall<Q, A> call) {
            super(call);
        }

        @Override
        public synchronized void request(int numMessages) {
            super.request(numMessages);
        }

        @Override
        public synchronized void sendHeaders(Metadata headers) {
            if (!closed) {
                super.sendHeaders(headers);
            }
        }

        @Override
        public synchronized void sendMessage(A message) {
            if (!closed) {
                super.sendMessage(message);
            }
        }

        @Override
        public synchronized void close(Status status, Metadata trailers) {
            if (!closed) {
                closed = true;
                super.close(status, trailers);
            }
        }

        synchronized void end() {
            close(Status.UNAVAILABLE.withDescription("the server is stopping"), new Metadata());
        }
    }
}
