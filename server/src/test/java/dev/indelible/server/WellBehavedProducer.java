package dev.indelible.server;

import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.ExpectedVersion;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A producer that keeps appending over HTTP and gRPC and asking for health, one request at a time,
 * timing each: what an attack must not slow past its bound. Any failure of its requests fails the
 * attack it happened during.
 */
final class WellBehavedProducer implements AutoCloseable {
    interface Attack {
        void run() throws Exception;
    }

    private final Http http;
    private final IndelibleClient grpc;
    private final String token;
    private final List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Thread thread;
    private volatile boolean stopped;
    private long httpAcked;
    private long grpcAcked;

    WellBehavedProducer(int httpPort, int grpcPort, String token) {
        this.http = new Http(httpPort);
        this.grpc = IndelibleClient.connect("127.0.0.1", grpcPort, token);
        this.token = token;
        round(0, false); // loads the classes of each path in the server: not what an attack costs
        this.thread = new Thread(this::run, "well-behaved-producer");
        thread.start();
    }

    private void run() {
        try {
            for (long n = 1; !stopped; n++) {
                round(n, true);
            }
        } catch (Throwable e) {
            failure.set(e);
        }
    }

    private void round(long n, boolean timed) {
        long started = System.nanoTime();
        Http.Response answer = http.post("/streams/selfies-user-1", token, Http.selfie(1, "good-" + n));
        if (answer.status() != 200) {
            throw new AssertionError("HTTP append: " + answer);
        }
        httpAcked++;
        long appended = System.nanoTime();
        AppendResult result = grpc.append("selfies-user-2", ExpectedVersion.ANY,
            List.of(EventData.json("selfie.recorded", ("{\"n\":" + n + "}").getBytes(StandardCharsets.UTF_8))));
        if (!(result instanceof AppendResult.Appended)) {
            throw new AssertionError("gRPC append: " + result);
        }
        grpcAcked++;
        long grpcDone = System.nanoTime();
        Http.Response health = http.get("/health/live", null);
        if (health.status() != 200) {
            throw new AssertionError("health: " + health);
        }
        if (timed) {
            latencies.add(appended - started);
            latencies.add(grpcDone - appended);
            latencies.add(System.nanoTime() - grpcDone);
        }
    }

    /** Runs {@code attack} on this thread and returns the producer's p99, max (ns) and request count meanwhile. */
    long[] during(Attack attack) throws Exception {
        latencies.clear();
        attack.run();
        Throwable failed = failure.get();
        if (failed != null) {
            throw new AssertionError("the well-behaved producer failed during the attack: " + failed, failed);
        }
        List<Long> sorted;
        synchronized (latencies) {
            sorted = new ArrayList<>(latencies);
        }
        Collections.sort(sorted);
        if (sorted.isEmpty()) {
            throw new AssertionError("the well-behaved producer got no answer during the attack");
        }
        return new long[] {sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(sorted.size() * 0.99) - 1)),
            sorted.get(sorted.size() - 1), sorted.size()};
    }

    long httpAcked() {
        return httpAcked;
    }

    long grpcAcked() {
        return grpcAcked;
    }

    /** Stops after the request in flight; the counts are final after it. Idempotent. */
    @Override
    public void close() throws InterruptedException {
        stopped = true;
        thread.join(60_000);
        if (thread.isAlive()) {
            throw new AssertionError("the well-behaved producer did not stop within 60 s");
        }
        grpc.close();
    }
}
