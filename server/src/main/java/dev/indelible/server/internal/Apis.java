package dev.indelible.server.internal;

import dev.indelible.ledger.LedgerPartitions;
import dev.indelible.projections.ProjectionEngine;
import dev.indelible.server.ServerConfig;
import dev.indelible.server.Tokens;
import com.sun.net.httpserver.HttpHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.time.Clock;
import java.util.List;

/** The two APIs over one journal's partitions (often one ledger), sharing tokens, the failure rate limit, the append path and the metrics. */
public final class Apis {
    private final HttpApi http;
    private final GrpcApi grpc;
    private final GrpcAuth grpcAuth;
    private final GrpcHealth grpcHealth;
    private final Console console;
    private final TokenReplication tokenReplication;

    /** @param clock the time console sessions expire by */
    public Apis(LedgerPartitions partitions, ProjectionEngine engine, Tokens tokens, ServerConfig config, Clock clock) {
        GrpcCancelNoise.install();
        ServerMetrics metrics = new ServerMetrics(partitions);
        Access access = new Access(tokens, metrics, config.failedAuthPerMinute());
        EventFeed feed = new EventFeed(partitions);
        AppendService appends = new AppendService(partitions, access, metrics, config.maxEventsPerRequest(), feed::appended);
        Reads reads = new Reads(partitions, engine, feed);
        AdminOperations operations = new AdminOperations(partitions, engine);
        AuditTrail audit = new AuditTrail(partitions.auditLedger(), config.maxReadLimit());
        this.http = new HttpApi(partitions, engine, config, metrics, access, appends, reads, feed, new AdminApi(operations, audit));
        this.grpc = new GrpcApi(partitions, engine, config, access, appends, reads, operations);
        this.grpcAuth = new GrpcAuth(access);
        this.grpcHealth = new GrpcHealth(() -> Readiness.ready(partitions, engine));
        this.console = new Console(tokens, access, metrics, config.tls(), clock,
            new ConsoleViews(partitions, engine, tokens, feed, reads, config.maxReadLimit(), metrics, clock), operations, audit);
        this.tokenReplication = new TokenReplication(partitions.auditLedger(), tokens);
    }

    public HttpApi http() {
        return http;
    }

    /** The web console, at {@code /console}. */
    public HttpHandler console() {
        return console;
    }

    /** The LedgerService, health and reflection; {@link #grpcAuth} goes on the whole server. */
    public List<ServerServiceDefinition> grpcServices() {
        return List.of(ServerInterceptors.intercept(grpc, new AppendForms()), grpcHealth.service(), ProtoReflectionServiceV1.newInstance().bindService());
    }

    /** The token check of every call but health and reflection. */
    public ServerInterceptor grpcAuth() {
        return grpcAuth;
    }

    /** Health answers SERVING (while ready) once the server listens. */
    public void grpcStarted() {
        grpcHealth.start();
    }

    /** Health answers NOT_SERVING from now on, before anything drains. */
    public void grpcStopping() {
        grpcHealth.stopping();
    }

    /** Once every call ended: the threads that answer append streams stop. */
    public void close() {
        grpc.close();
        console.close();
        tokenReplication.close();
    }

    /** New calls refused, in-flight ones finished (at most {@code timeoutNanos}); subscriptions end. */
    public boolean drain(long timeoutNanos) throws InterruptedException {
        grpc.stopStreams();
        return http.drain(timeoutNanos);
    }
}
