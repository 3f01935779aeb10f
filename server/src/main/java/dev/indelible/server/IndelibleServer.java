package dev.indelible.server;

import com.sun.net.httpserver.HttpServer;
import dev.indelible.ledger.Ledger;
import dev.indelible.projections.ProjectionEngine;
import dev.indelible.server.internal.HttpApi;
import dev.indelible.server.internal.ServerMetrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ledger over HTTP/JSON ({@code server/README.md} documents the API). Every request carries a
 * bearer token from {@link Tokens}. Binds loopback unless configured otherwise.
 *
 * <pre>{@code
 * try (IndelibleServer server = IndelibleServer.start(ledger, engine, Tokens.open(dataDir), ServerConfig.defaults())) {
 *     server.awaitStop();
 * }
 * }</pre>
 *
 * <p>{@link #close} stops accepting, lets requests in flight finish (their appends included) and
 * returns; the caller then closes the engine and the ledger. Thread-safe.
 */
public final class IndelibleServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IndelibleServer.class);
    private static final int DRAIN_SECONDS = 10;

    static {
        // Without TCP_NODELAY, keep-alive clients (Node's fetch) wait ~40 ms per request on delayed ACKs.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private final HttpServer http;
    private final HttpApi api;
    private final ThreadPoolExecutor workers;
    private final java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);

    private IndelibleServer(HttpServer http, HttpApi api, ThreadPoolExecutor workers) {
        this.http = http;
        this.api = api;
        this.workers = workers;
    }

    /**
     * Starts serving {@code ledger} (and the reference queries of {@code engine}, which may be null).
     *
     * @throws IllegalArgumentException for a non-loopback bind without {@code insecure}, naming the field
     */
    public static IndelibleServer start(Ledger ledger, ProjectionEngine engine, Tokens tokens, ServerConfig config) {
        InetSocketAddress address = new InetSocketAddress(config.checkedAddress(), config.port());
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor workers = new ThreadPoolExecutor(config.threads(), config.threads(), 60, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(config.threads() * 4), r -> {
                Thread t = new Thread(r, "indelible-http-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            }, new ThreadPoolExecutor.CallerRunsPolicy()); // when full, the dispatcher handles it: back-pressure, not a drop
        try {
            HttpServer http = HttpServer.create(address, 256);
            HttpApi api = new HttpApi(ledger, engine, tokens, config, new ServerMetrics(ledger));
            http.createContext("/", api);
            http.setExecutor(workers);
            http.start();
            LOG.info("serving on http://{}:{}", address.getHostString(), http.getAddress().getPort());
            return new IndelibleServer(http, api, workers);
        } catch (IOException e) {
            workers.shutdownNow();
            throw new UncheckedIOException("cannot listen on " + address + ": " + e.getMessage(), e);
        }
    }

    /** The port listened on (useful with port 0). */
    public int port() {
        return http.getAddress().getPort();
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
        // HttpServer.stop(delay) on Java 17 waits the whole delay even when idle: drain first, then stop at once.
        try {
            if (!api.drain(TimeUnit.SECONDS.toNanos(DRAIN_SECONDS))) {
                LOG.warn("requests still running after {} s; stopping anyway", DRAIN_SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        http.stop(0);
        workers.shutdownNow();
        stopped.countDown();
    }
}
