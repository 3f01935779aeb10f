package dev.indelible.ledger.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.indelible.ledger.AppendReceipt;
import dev.indelible.ledger.ContentType;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.EventId;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The append path allocates nothing of its own on the appending thread when it fills a receipt:
 * the benchmark's {@code -prof gc} figure, checked where a regression would first show (an
 * {@code Instant} per append, an iterator, a boxed value, a check every few milliseconds).
 */
class AppendAllocationTest {
    private static final int WARM_UP = 200_000;
    private static final int MEASURED = 100_000;

    @TempDir
    Path dir;

    @Test
    void shouldAllocateNothingOnTheAppendingThreadToAppendWithAReceipt() {
        byte[] payload = "{\"user_id\":1201911108,\"media_type\":\"photo\",\"file_id\":\"AgACAgIAAxkBAAIBZ2cX\"}"
            .getBytes(StandardCharsets.UTF_8);
        EventData[] events = new EventData[WARM_UP + MEASURED];
        for (int i = 0; i < events.length; i++) {
            events[i] = new EventData(EventId.random(), "selfie.recorded", ContentType.JSON, payload,
                Map.of());
        }
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        AppendReceipt receipt = new AppendReceipt();
        try (Ledger ledger = Ledger.open(dir, LedgerConfig.builder().build())) {
            for (int i = 0; i < WARM_UP; i++) { // the JIT compiles the path, as in a long-running producer
                ledger.append("selfies", ExpectedVersion.ANY, events[i], receipt);
            }
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = WARM_UP; i < events.length; i++) {
                ledger.append("selfies", ExpectedVersion.ANY, events[i], receipt);
            }
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            assertEquals(events.length - 1, receipt.lastGlobalSeq());
            System.out.printf("AppendAllocationTest: %d bytes allocated on the appending thread by %d receipt appends%n",
                allocated, MEASURED);
            // Anything per append is 1.6 MB or more (an Instant, an iterator, a boxed long); what is left
            // (about 4 KB here, 0.04 B an append) is occasional, not the append's own.
            assertTrue(allocated < 20_000, allocated + " bytes allocated by " + MEASURED + " appends");
        }
    }
}
