package dev.indelible.server.internal;

import dev.indelible.server.Token;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Set;

/**
 * Authenticates every gRPC call from its {@code authorization} metadata; the token goes into the
 * call's context. Only health and reflection go without: they tell a status and the public schema.
 */
final class GrpcAuth implements ServerInterceptor {
    private static final Set<String> OPEN_SERVICES = Set.of(HealthGrpc.SERVICE_NAME, ServerReflectionGrpc.SERVICE_NAME);
    static final Context.Key<Token> TOKEN = Context.key("indelible-token");
    static final Context.Key<InetAddress> ADDRESS = Context.key("indelible-address");
    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final Access access;

    GrpcAuth(Access access) {
        this.access = access;
    }

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
        if (OPEN_SERVICES.contains(call.getMethodDescriptor().getServiceName())) {
            return next.startCall(call, headers);
        }
        InetAddress address = address(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
        try {
            Token token = access.authenticate(address, headers.get(AUTHORIZATION));
            Context context = Context.current().withValue(TOKEN, token).withValue(ADDRESS, address);
            return Contexts.interceptCall(context, call, headers, next);
        } catch (ApiError e) {
            call.close(e.grpcStatus(), new Metadata());
            return new ServerCall.Listener<>() {
            };
        }
    }

    private static InetAddress address(SocketAddress remote) {
        return remote instanceof InetSocketAddress inet ? inet.getAddress() : InetAddress.getLoopbackAddress();
    }
}
