package dev.indelible.server.internal;

import dev.indelible.ledger.Ledger;
import dev.indelible.projections.ProjectionEngine;
import dev.indelible.server.ServerConfig;
import dev.indelible.server.Tokens;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;

/** The two APIs over one ledger, sharing tokens, the failure rate limit, the append path and the metrics. */
public final class Apis {
    private final HttpApi http;
    private final GrpcApi grpc;
    private final GrpcAuth grpcAuth;

    public Apis(Ledger ledger, ProjectionEngine engine, Tokens tokens, ServerConfig config) {
        GrpcCancelNoise.install();
        ServerMetrics metrics = new ServerMetrics(ledger);
        Access access = new Access(tokens, metrics, config.failedAuthPerMinute());
        EventFeed feed = new EventFeed(ledger);
        Appends appends = new Appends(ledger, metrics, config.maxEventsPerRequest(), feed::appended);
        Reads reads = new Reads(ledger, engine, feed);
        this.http = new HttpApi(ledger, engine, config, metrics, access, appends, reads, feed);
        this.grpc = new GrpcApi(ledger, engine, config, access, appends, reads);
        this.grpcAuth = new GrpcAuth(access);
    }

    public HttpApi http() {
        return http;
    }

    public ServerServiceDefinition grpc() {
        return ServerInterceptors.intercept(grpc, grpcAuth);
    }

    /** Once every call ended: the threads that answer append streams stop. */
    public void close() {
        grpc.close();
    }

    /** New calls refused, in-flight ones finished (at most {@code timeoutNanos}); subscriptions end. */
    public boolean drain(long timeoutNanos) throws InterruptedException {
        grpc.stopStreams();
        return http.drain(timeoutNanos);
    }
}
