package dev.indelible.server.internal;

import dev.indelible.server.api.LedgerServiceGrpc;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;

/**
 * The forms of {@code AppendStreamRequest} this server makes, announced in the response headers
 * of every {@code AppendStream} call as soon as it starts: {@value #FORMS} under {@code
 * indelible-append-forms}. A server from before the {@code batch} and {@code singles} forms
 * ignores them (their appends would go unanswered) and announces nothing, so a client sends the
 * per-append form until the headers name the others. Stateless; thread-safe.
 */
public final class AppendForms implements ServerInterceptor {
    public static final Metadata.Key<String> HEADER = Metadata.Key.of("indelible-append-forms", Metadata.ASCII_STRING_MARSHALLER);
    static final String FORMS = "appends,batch,singles";

    /** Whether {@code headers}, an {@code AppendStream} call's, say the server makes {@code batch} and {@code singles}. */
    public static boolean columns(Metadata headers) {
        String forms = headers.get(HEADER);
        return forms != null && forms.contains("batch") && forms.contains("singles");
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        if (!call.getMethodDescriptor().equals(LedgerServiceGrpc.getAppendStreamMethod())) {
            return next.startCall(call, headers);
        }
        ServerCall<Q, R> announced = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void sendHeaders(Metadata ignored) {
                // sent below, at the start; the stub sends (empty) headers again before its first response
            }
        };
        Metadata forms = new Metadata();
        forms.put(HEADER, FORMS);
        call.sendHeaders(forms); // now, not with the first response: the client chooses its form before that
        return next.startCall(announced, headers);
    }
}
