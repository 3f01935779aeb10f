package dev.indelible.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.indelible.ledger.ExpectedVersion;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A subscriber from position 0 receives every event exactly once across a server restart, by resuming. */
class SubscribeAcrossRestartTest {
    @TempDir
    Path dir;

    @Test
    void shouldDeliverEveryEventExactlyOnceAcrossARestart() throws Exception {
        List<Long> received = Collections.synchronizedList(new ArrayList<>());
        String token;
        try (ServerFixture f = new ServerFixture(dir)) {
            token = f.token("follower", "selfies-*", Verb.APPEND, Verb.READ);
            append(f, token, 0, 300);
            CountDownLatch ended = new CountDownLatch(1);
            AtomicReference<Throwable> why = new AtomicReference<>();
            try (IndelibleClient client = IndelibleClient.connect("127.0.0.1", f.server.grpcPort(), token)) {
                client.subscribe(0, e -> received.add(e.globalSeq()), t -> {
                    why.set(t);
                    ended.countDown();
                });
                append(f, token, 300, 500); // live, while the subscriber follows
                awaitCount(received, 500);
                f.server.close();
                assertTrue(ended.await(30, TimeUnit.SECONDS), "the subscription ends when the server stops");
                assertTrue(String.valueOf(why.get()).contains("UNAVAILABLE"), String.valueOf(why.get()));
            }
        }
        try (ServerFixture f = new ServerFixture(dir)) {
            long resumeFrom = received.get(received.size() - 1) + 1;
            try (IndelibleClient client = IndelibleClient.connect("127.0.0.1", f.server.grpcPort(), token);
                 AutoCloseable subscription = client.subscribe(resumeFrom, e -> received.add(e.globalSeq()), t -> { })) {
                append(f, token, 500, 800);
                awaitCount(received, 800);
            }
        }
        List<Long> expected = new ArrayList<>();
        for (long i = 0; i < 800; i++) {
            expected.add(i);
        }
        assertEquals(expected, received, "every event once, in order");
    }

    private static void append(ServerFixture f, String token, int from, int to) {
        try (IndelibleClient client = IndelibleClient.connect("127.0.0.1", f.server.grpcPort(), token)) {
            for (int i = from; i < to; i++) {
                client.append("selfies-user-" + (i % 7 + 1), ExpectedVersion.ANY, GrpcApiTest.selfie(i % 7 + 1, "f" + i));
            }
        }
    }

    private static void awaitCount(List<Long> received, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (received.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(count, received.size());
    }
}
