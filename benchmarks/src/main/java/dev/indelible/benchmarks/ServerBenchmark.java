package dev.indelible.benchmarks;

import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.EventId;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.server.IndelibleClient;
import dev.indelible.server.IndelibleServer;
import dev.indelible.server.ServerConfig;
import dev.indelible.server.Tokens;
import dev.indelible.server.Verb;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Appends through {@code indelible serve} over HTTP/JSON and over gRPC, against the embedded
 * ledger in the same run (run with {@code -t 8}: eight producers). The server runs in this JVM on
 * 127.0.0.1 without projections, so the difference is the network API's own cost.
 * <ul>
 * <li>{@code serverAppend}: one append per call, waited for.
 * <li>{@code serverAppendAsync}: each producer keeps {@value #IN_FLIGHT} appends in flight, over
 *     gRPC {@code AppendStream} (the Java client's {@code appendAsync}, one client shared by the
 *     producers as an application shares it: 8 x 512 is its 4,096 in flight) or the embedded
 *     {@code appendAsync}; over HTTP, 4 requests at a time.
 * <li>{@code serverTrivial}: the cheapest call of each transport ({@code GET /health/live}, the
 *     gRPC health service's {@code Check}, the ledger's {@code head()}), the floor an append's cost
 *     is measured against.
 * </ul>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
public class ServerBenchmark {

    static final int IN_FLIGHT = 512;

    @Param({"embedded", "http", "grpc"})
    public String transport;

    Path dir;
    Ledger ledger;
    IndelibleServer server;
    String token;
    /** One client for every producer's async appends, as an application shares it. */
    IndelibleClient client;
    final AtomicInteger producers = new AtomicInteger();
    /** Async appends not yet answered, of every producer: the server outlives them all. */
    final AtomicLong unanswered = new AtomicLong();

    @Setup(Level.Trial)
    public void start() {
        dir = Workload.tempDir("server");
        ledger = Ledger.open(dir, LedgerConfig.defaults());
        token = Tokens.open(dir).create("bench", List.of("*"), EnumSet.of(Verb.APPEND)).secret();
        server = IndelibleServer.start(ledger, null, Tokens.open(dir), ServerConfig.defaults().withBind("127.0.0.1", 0));
        client = IndelibleClient.connect("127.0.0.1", server.grpcPort(), token);
    }

    @TearDown(Level.Trial)
    public void stop() throws InterruptedException {
        // JMH may run this while other threads still drain their windows in their own teardown.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (unanswered.get() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        client.close();
        server.close();
        ledger.close();
        Workload.delete(dir);
    }

    /** One producer: its stream and its connection. */
    @State(Scope.Thread)
    public static class Producer {
        String stream;
        HttpClient http;
        HttpRequest request;
        IndelibleClient grpc;
        HttpRequest health;
        ManagedChannel healthChannel;
        HealthGrpc.HealthBlockingStub grpcHealth;
        EventData event = EventData.json("selfie.recorded", Workload.RECORD);
        final ArrayDeque<CompletableFuture<?>> window = new ArrayDeque<>();

        @Setup(Level.Trial)
        public void connect(ServerBenchmark b) {
            stream = "selfies-producer-" + b.producers.incrementAndGet();
            http = HttpClient.newHttpClient();
            request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + b.server.port() + "/streams/" + stream))
                .header("Authorization", "Bearer " + b.token)
                .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"selfie.recorded\",\"data\":"
                    + new String(Workload.RECORD, StandardCharsets.UTF_8) + "}"))
                .build();
            grpc = IndelibleClient.connect("127.0.0.1", b.server.grpcPort(), b.token);
            health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + b.server.port() + "/health/live")).build();
            healthChannel = NettyChannelBuilder.forAddress("127.0.0.1", b.server.grpcPort())
                .usePlaintext().build();
            grpcHealth = HealthGrpc.newBlockingStub(healthChannel);
        }

        /** Waits for everything outstanding, so no append crosses into the next iteration. */
        @TearDown(Level.Iteration)
        public void drain() {
            while (!window.isEmpty()) {
                window.poll().join();
            }
        }

        @TearDown(Level.Trial)
        public void close() {
            healthChannel.shutdownNow();
            grpc.close();
        }
    }

    @Benchmark
    public Object serverAppend(Producer p) throws IOException, InterruptedException {
        switch (transport) {
            case "http" -> {
                return ok(p.http.send(p.request, HttpResponse.BodyHandlers.ofString()));
            }
            case "grpc" -> {
                return check(p.grpc.append(p.stream, ExpectedVersion.ANY, p.event.withEventId(EventId.random())));
            }
            default -> {
                return check(ledger.append(p.stream, ExpectedVersion.ANY, p.event.withEventId(EventId.random())));
            }
        }
    }

    @Benchmark
    public Object serverAppendAsync(Producer p) {
        // Over HTTP each append in flight is a request on its own connection, and a token may have 32
        // in flight: 8 producers x 4.
        if (p.window.size() >= (transport.equals("http") ? 4 : IN_FLIGHT)) {
            p.window.poll().join();
        }
        EventData event = p.event.withEventId(EventId.random());
        CompletableFuture<?> future = switch (transport) {
            case "grpc" -> client.appendAsync(p.stream, ExpectedVersion.ANY, event).thenApply(ServerBenchmark::check);
            case "http" -> p.http.sendAsync(p.request, HttpResponse.BodyHandlers.ofString()).thenApply(ServerBenchmark::ok);
            default -> ledger.appendAsync(p.stream, ExpectedVersion.ANY, event).thenApply(ServerBenchmark::check);
        };
        unanswered.incrementAndGet();
        future.whenComplete((r, e) -> unanswered.decrementAndGet());
        p.window.add(future);
        return future;
    }

    @Benchmark
    public Object serverTrivial(Producer p) throws IOException, InterruptedException {
        switch (transport) {
            case "http" -> {
                return ok(p.http.send(p.health, HttpResponse.BodyHandlers.ofString()));
            }
            case "grpc" -> {
                var response = p.grpcHealth.check(HealthCheckRequest.getDefaultInstance());
                if (response.getStatus() != HealthCheckResponse.ServingStatus.SERVING) {
                    throw new IllegalStateException(response.toString());
                }
                return response;
            }
            default -> {
                return ledger.head();
            }
        }
    }

    private static HttpResponse<String> ok(HttpResponse<String> response) {
        if (response.statusCode() != 200) {
            throw new IllegalStateException(response.body());
        }
        return response;
    }

    private static AppendResult check(AppendResult result) {
        if (!(result instanceof AppendResult.Appended)) {
            throw new IllegalStateException(result.toString());
        }
        return result;
    }
}
