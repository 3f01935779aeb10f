package dev.indelible.server;

import dev.indelible.ledger.DaemonThreads;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerPartitions;
import dev.indelible.projections.ProjectionEngine;
import dev.indelible.server.internal.Apis;
import dev.indelible.server.internal.GrpcConnections;
import dev.indelible.server.internal.JettyErrors;
import dev.indelible.server.internal.PemTls;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.spi.JettyHttpServer;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.ContextHandlerCollection;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ledger over HTTP/JSON and gRPC ({@code server/README.md} documents both). Every request
 * carries a bearer token from {@link Tokens}. Binds loopback unless configured otherwise.
 *
 * <pre>{@code
 * try (IndelibleServer server = IndelibleServer.start(ledger, engine, Tokens.open(dataDir), ServerConfig.defaults())) {
 *     server.awaitStop();
 * }
 * }</pre>
 *
 * <p>{@link #close} refuses new requests, lets those in flight finish (their appends included),
 * ends subscriptions with UNAVAILABLE and returns; the caller then closes the engine and the
 * ledger. Thread-safe.
 */
public final class IndelibleServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IndelibleServer.class);
    private static final int DRAIN_SECONDS = 10;
    private static final int MAX_CALLS_PER_CONNECTION = 128;
    static final int MAX_HTTP_CONNECTIONS = 1_024;
    static final int MAX_HEADER_BYTES = 16 * 1024;
    private static final long HANDSHAKE_MILLIS = 10_000;
    private static final long CLIENT_PING_SECONDS = 10;

    private final org.eclipse.jetty.server.Server jetty;
    private final ServerConnector connector;
    private final Server grpc;
    private final Apis apis;
    private final ThreadPoolExecutor grpcWorkers;
    private final CountDownLatch stopped = new CountDownLatch(1);

    private IndelibleServer(org.eclipse.jetty.server.Server jetty, ServerConnector connector, Server grpc, Apis apis,
                            ThreadPoolExecutor grpcWorkers) {
        this.jetty = jetty;
        this.connector = connector;
        this.grpc = grpc;
        this.apis = apis;
        this.grpcWorkers = grpcWorkers;
    }

    /**
     * Starts serving {@code ledger} (and the reference queries of {@code engine}, which may be null).
     *
     * @throws IllegalArgumentException for a non-loopback bind without {@code insecure}, naming the field
     */
    public static IndelibleServer start(Ledger ledger, ProjectionEngine engine, Tokens tokens, ServerConfig config) {
        return start(LedgerPartitions.of(ledger), engine, tokens, config, Clock.systemUTC());
    }

    /** {@link #start}, with the clock the web console's sessions expire by (tests move it). */
    public static IndelibleServer start(Ledger ledger, ProjectionEngine engine, Tokens tokens, ServerConfig config, Clock clock) {
        return start(LedgerPartitions.of(ledger), engine, tokens, config, clock);
    }

    /**
     * Starts serving a journal of several partitions: each append goes to its stream's partition
     * ({@link LedgerPartitions#ledgerFor}), a stream is read from its partition, and reads and
     * subscriptions of every event follow every partition, their positions one {@code global_seq}
     * per partition (server/README.md, "Partitions"). {@code engine} should follow every partition.
     */
    public static IndelibleServer start(LedgerPartitions partitions, ProjectionEngine engine, Tokens tokens,
                                        ServerConfig config) {
        return start(partitions, engine, tokens, config, Clock.systemUTC());
    }

    private static IndelibleServer start(LedgerPartitions partitions, ProjectionEngine engine, Tokens tokens,
                                         ServerConfig config, Clock clock) {
        InetAddress address = config.checkedAddress();
        Apis apis = new Apis(partitions, engine, tokens, config, clock);
        // gRPC and HTTP each have their own threads: a flood on one port cannot starve the other.
        ThreadPoolExecutor grpcWorkers = workers(config.threads());
        org.eclipse.jetty.server.Server jetty = null;
        try {
            jetty = jetty(config.threads());
            ServerConnector connector = connector(jetty, address, config);
            JettyHttpServer http = new JettyHttpServer(jetty, true);
            http.bind(new InetSocketAddress(address, config.port()), 256); // takes the connector of that port
            http.createContext("/", apis.http());
            http.createContext("/console", apis.console());
            NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(address, config.grpcPort()));
            if (config.tls()) {
                builder.useTransportSecurity(config.tlsCert().toFile(), config.tlsKey().toFile());
            }
            apis.grpcServices().forEach(builder::addService);
            GrpcConnections connections = new GrpcConnections(MAX_HTTP_CONNECTIONS);
            Server grpc = bounded(builder, config)
                .intercept(apis.grpcAuth())
                .intercept(connections) // runs first: a connection over the limit is refused before anything else
                .addTransportFilter(connections)
                .executor(grpcWorkers)
                .maxInboundMessageSize(config.maxRequestBytes())
                .maxConcurrentCallsPerConnection(MAX_CALLS_PER_CONNECTION)
                .build()
                .start();
            jetty.start();
            apis.grpcStarted();
            LOG.info("serving HTTP{} on {}:{} and gRPC on port {}", config.tls() ? "S" : "", address.getHostAddress(),
                connector.getLocalPort(), grpc.getPort());
            return new IndelibleServer(jetty, connector, grpc, apis, grpcWorkers);
        } catch (Exception e) {
            if (jetty != null) {
                try {
                    jetty.stop();
                } catch (Exception stopping) {
                    e.addSuppressed(stopping);
                }
            }
            grpcWorkers.shutdownNow();
            apis.close(); // its threads (the console's sampler, gRPC's answers) must not outlive a failed start
            if (e instanceof RuntimeException runtime) {
                throw runtime;
            }
            IOException cause = e instanceof IOException io ? io : new IOException(e.getMessage(), e);
            throw new UncheckedIOException("cannot listen on " + address.getHostAddress() + " ports " + config.port() + "/"
                + config.grpcPort() + ": " + e.getMessage(), cause);
        }
    }

    /**
     * The HTTP port's bounds on the gRPC port: a connection that has not sent its HTTP/2 preface
     * and settings within the handshake timeout is closed, so is one with no call for the idle
     * timeout; one with a quiet call (a subscription) is pinged, and closed if the ping goes
     * unanswered, so a dead peer does not hold its call forever.
     */
    private static NettyServerBuilder bounded(NettyServerBuilder builder, ServerConfig config) {
        long idle = config.idleTimeout().toMillis();
        long handshake = Math.min(HANDSHAKE_MILLIS, idle);
        return builder
            .handshakeTimeout(handshake, TimeUnit.MILLISECONDS)
            .maxConnectionIdle(idle, TimeUnit.MILLISECONDS)
            .keepAliveTime(idle, TimeUnit.MILLISECONDS)
            .keepAliveTimeout(handshake, TimeUnit.MILLISECONDS)
            .permitKeepAliveTime(CLIENT_PING_SECONDS, TimeUnit.SECONDS) // more often is answered with GOAWAY
            .maxInboundMetadataSize(MAX_HEADER_BYTES);
    }

    /** Jetty reads headers and bodies without a thread waiting on each socket; handlers run on its pool. */
    private static org.eclipse.jetty.server.Server jetty(int threads) {
        QueuedThreadPool pool = new QueuedThreadPool(threads + 8, 4, 60_000);
        pool.setName("indelible-http");
        pool.setDaemon(true);
        org.eclipse.jetty.server.Server jetty = new org.eclipse.jetty.server.Server(pool);
        jetty.setStopTimeout(0); // close() drains first
        jetty.setHandler(new ContextHandlerCollection()); // where the JDK API's contexts go
        jetty.setErrorHandler(new JettyErrors(MAX_HEADER_BYTES));
        return jetty;
    }

    private static ServerConnector connector(org.eclipse.jetty.server.Server jetty, InetAddress address, ServerConfig config) {
        HttpConfiguration http = new HttpConfiguration();
        http.setRequestHeaderSize(MAX_HEADER_BYTES);
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        HttpConnectionFactory plain = new HttpConnectionFactory(http);
        ServerConnector connector;
        if (config.tls()) {
            SslContextFactory.Server ssl = new SslContextFactory.Server();
            ssl.setSslContext(PemTls.serverContext(config.tlsCert(), config.tlsKey()));
            connector = new ServerConnector(jetty, new SslConnectionFactory(ssl, plain.getProtocol()), plain);
        } else {
            connector = new ServerConnector(jetty, plain);
        }
        connector.setHost(address.getHostAddress());
        connector.setPort(config.port());
        connector.setIdleTimeout(config.idleTimeout().toMillis());
        connector.setAcceptQueueSize(256);
        jetty.addConnector(connector);
        jetty.addBean(new NetworkConnectionLimit(MAX_HTTP_CONNECTIONS, connector));
        return connector;
    }

    private static ThreadPoolExecutor workers(int threads) {
        // When full, the submitting thread runs the request: back-pressure, not a drop.
        return new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(threads * 4),
            DaemonThreads.numbered("indelible-grpc"), new ThreadPoolExecutor.CallerRunsPolicy());
    }

    /** The HTTP port (useful with port 0). */
    public int port() {
        return connector.getLocalPort();
    }

    /** The gRPC port. */
    public int grpcPort() {
        return grpc.getPort();
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(connector.getHost(), connector.getLocalPort());
    }

    /** Blocks until {@link #close} ran. */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    @Override
    public void close() {
        if (stopped.getCount() == 0) {
            return;
        }
        apis.grpcStopping(); // load balancers watching health stop sending before calls are refused
        grpc.shutdown();
        try {
            if (!apis.drain(TimeUnit.SECONDS.toNanos(DRAIN_SECONDS))
                    || !grpc.awaitTermination(DRAIN_SECONDS, TimeUnit.SECONDS)) {
                LOG.warn("requests still running after {} s; stopping anyway", DRAIN_SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        grpc.shutdownNow();
        try {
            jetty.stop();
        } catch (Exception e) {
            LOG.warn("stopping HTTP: {}", e.toString());
        }
        apis.close();
        grpcWorkers.shutdownNow();
        stopped.countDown();
    }
}
