package dev.indelible.server.internal;

import io.grpc.Attributes;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerTransportFilter;
import io.grpc.Status;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * At most {@code max} gRPC connections take calls. grpc-java cannot refuse or close a connection
 * from a transport filter, so one over the limit stays open but each of its calls is answered
 * RESOURCE_EXHAUSTED (a clear error rather than a dropped connection), until a slot frees up;
 * with no call in progress it is closed after the idle timeout like any other.
 */
public final class GrpcConnections extends ServerTransportFilter implements ServerInterceptor {
    private static final Attributes.Key<AtomicBoolean> ADMITTED = Attributes.Key.create("indelible-admitted");

    private final int max;
    private final AtomicInteger admitted = new AtomicInteger();

    public GrpcConnections(int max) {
        this.max = max;
    }

    @Override
    public Attributes transportReady(Attributes transport) {
        AtomicBoolean slot = new AtomicBoolean();
        admit(slot);
        return transport.toBuilder().set(ADMITTED, slot).build();
    }

    @Override
    public void transportTerminated(Attributes transport) {
        AtomicBoolean slot = transport == null ? null : transport.get(ADMITTED);
        if (slot != null && slot.getAndSet(false)) {
            admitted.decrementAndGet();
        }
    }

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
        AtomicBoolean slot = call.getAttributes().get(ADMITTED);
        if (slot == null || admit(slot)) {
            return next.startCall(call, headers);
        }
        call.close(Status.RESOURCE_EXHAUSTED.withDescription("connections: this server has " + max
            + " gRPC connections open already; close one or retry later"), new Metadata());
        return new ServerCall.Listener<>() {
        };
    }

    /** Takes a slot for the connection unless it has one or none is free; whether it has one. */
    private boolean admit(AtomicBoolean slot) {
        if (slot.get()) {
            return true;
        }
        synchronized (slot) {
            if (slot.get()) {
                return true;
            }
            int now;
            do {
                now = admitted.get();
                if (now >= max) {
                    return false;
                }
            } while (!admitted.compareAndSet(now, now + 1));
            slot.set(true);
            return true;
        }
    }
}
