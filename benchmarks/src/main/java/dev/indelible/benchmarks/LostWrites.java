package dev.indelible.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Not a benchmark: counts lost writes. Four threads append 2,500 records each, through the JSON
 * read-modify-write of the selfies incident and through the ledger, and it prints how many of the
 * 10,000 each one kept.
 */
public final class LostWrites {
    private static final int THREADS = 4;
    private static final int EACH = 2_500;
    private static final ObjectMapper JSON = new ObjectMapper();

    private LostWrites() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Workload.tempDir("lost-writes");
        try {
            Path file = dir.resolve("selfie_checks.json");
            Files.writeString(file, "[]");
            AtomicInteger errors = new AtomicInteger();
            run((t, i) -> {
                try {
                    ArrayNode array = (ArrayNode) JSON.readTree(Files.readAllBytes(file));
                    array.add(JSON.createObjectNode().put("thread", t).put("i", i));
                    Files.write(file, JSON.writeValueAsBytes(array));
                } catch (IOException | RuntimeException e) {
                    // The incident's bot then reset the file to []; here the write is just lost.
                    errors.incrementAndGet();
                }
            });
            JsonNode kept = JSON.readTree(Files.readAllBytes(file));
            int jsonKept = kept == null || !kept.isArray() ? 0 : kept.size();
            long ledgerKept;
            try (Ledger ledger = Ledger.open(dir.resolve("ledger"), LedgerConfig.defaults())) {
                run((t, i) -> ledger.append("selfies-user-" + t, ExpectedVersion.ANY, EventData.json("selfie.recorded",
                    ("{\"thread\":" + t + ",\"i\":" + i + "}").getBytes(StandardCharsets.UTF_8))));
                ledgerKept = ledger.head();
            }
            int total = THREADS * EACH;
            System.out.printf("json read-modify-write: %,d of %,d kept, %,d lost (%,d writes failed to parse a half-written file)%n",
                jsonKept, total, total - jsonKept, errors.get());
            System.out.printf("indelible ledger:       %,d of %,d kept, %,d lost%n", ledgerKept, total, total - ledgerKept);
        } finally {
            Workload.delete(dir);
        }
    }

    private static void run(Write write) throws InterruptedException {
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            threads.add(new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < EACH; i++) {
                    write.write(thread, i);
                }
            }));
        }
        threads.forEach(Thread::start);
        start.countDown();
        for (Thread t : threads) {
            t.join();
        }
    }

    @FunctionalInterface
    private interface Write {
        void write(int thread, int i);
    }
}
