package dev.indelible.server;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.indelible.ledger.Ledger;
import dev.indelible.projections.ProjectionEngine;
import dev.indelible.server.internal.Apis;
import dev.indelible.server.internal.PemTls;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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

    static {
        // Without TCP_NODELAY, keep-alive clients (Node's fetch) wait ~40 ms per request on delayed ACKs.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private final HttpServer http;
    private final Server grpc;
    private final Apis apis;
    private final ThreadPoolExecutor workers;
    private final CountDownLatch stopped = new CountDownLatch(1);

    private IndelibleServer(HttpServer http, Server grpc, Apis apis, ThreadPoolExecutor workers) {
        this.http = http;
        this.grpc = grpc;
        this.apis = apis;
        this.workers = workers;
    }

    /**
     * Starts serving {@code ledger} (and the reference queries of {@code engine}, which may be null).
     *
     * @throws IllegalArgumentException for a non-loopback bind without {@code insecure}, naming the field
     */
    public static IndelibleServer start(Ledger ledger, ProjectionEngine engine, Tokens tokens, ServerConfig config) {
        InetAddress address = config.checkedAddress();
        Apis apis = new Apis(ledger, engine, tokens, config);
        ThreadPoolExecutor workers = workers(config.threads());
        HttpServer http = null;
        try {
            if (config.tls()) {
                HttpsServer https = HttpsServer.create(new InetSocketAddress(address, config.port()), 256);
                https.setHttpsConfigurator(new HttpsConfigurator(PemTls.serverContext(config.tlsCert(), config.tlsKey())));
                http = https;
            } else {
                http = HttpServer.create(new InetSocketAddress(address, config.port()), 256);
            }
            http.createContext("/", apis.http());
            http.setExecutor(workers);
            NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(address, config.grpcPort()));
            if (config.tls()) {
                builder.useTransportSecurity(config.tlsCert().toFile(), config.tlsKey().toFile());
            }
            Server grpc = builder
                .addService(apis.grpc())
                .executor(workers)
                .maxInboundMessageSize(config.maxRequestBytes())
                .maxConcurrentCallsPerConnection(MAX_CALLS_PER_CONNECTION)
                .build()
                .start();
            http.start();
            LOG.info("serving HTTP{} on {}:{} and gRPC on port {}", config.tls() ? "S" : "", address.getHostAddress(),
                http.getAddress().getPort(), grpc.getPort());
            return new IndelibleServer(http, grpc, apis, workers);
        } catch (IOException | RuntimeException e) {
            if (http != null) {
                try {
                    http.stop(0);
                } catch (IllegalStateException notStarted) {
                    // nothing to stop
                }
            }
            workers.shutdownNow();
            if (e instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new UncheckedIOException("cannot listen on " + address.getHostAddress() + " ports " + config.port() + "/"
                + config.grpcPort() + ": " + e.getMessage(), (IOException) e);
        }
    }

    private static ThreadPoolExecutor workers(int threads) {
        AtomicInteger n = new AtomicInteger();
        // When full, the submitting thread runs the request: back-pressure, not a drop.
        return new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(threads * 4), r -> {
            Thread t = new Thread(r, "indelible-request-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.CallerRunsPolicy());
    }

    /** The HTTP port (useful with port 0). */
    public int port() {
        return http.getAddress().getPort();
    }

    /** The gRPC port. */
    public int grpcPort() {
        return grpc.getPort();
    }

    public InetSocketAddress address() {
        return http.getAddress();
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
        grpc.shutdown();
        try {
            // HttpServer.stop(delay) on Java 17 waits the whole delay even when idle: drain first, then stop at once.
            if (!apis.drain(TimeUnit.SECONDS.toNanos(DRAIN_SECONDS))
                    || !grpc.awaitTermination(DRAIN_SECONDS, TimeUnit.SECONDS)) {
                LOG.warn("requests still running after {} s; stopping anyway", DRAIN_SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        grpc.shutdownNow();
        http.stop(0);
        workers.shutdownNow();
        stopped.countDown();
    }
}
