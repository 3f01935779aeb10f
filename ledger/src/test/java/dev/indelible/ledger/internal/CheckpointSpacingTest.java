package dev.indelible.ledger.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.indelible.ledger.EventData;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoints rewrite the whole index, so they are spaced by their size: their cost per event stays flat. */
class CheckpointSpacingTest {
    private static final byte[] PAYLOAD = {1, 2, 3, 4};
    private static final int INTERVAL = 1_000;

    @TempDir
    Path dir;

    @Test
    void shouldWaitForEventsInProportionToTheLastCheckpointsSize() throws Exception {
        Checkpoint checkpoint = new Checkpoint(dir.resolve("journal-state"));
        try (Ledger ledger = Ledger.open(dir, LedgerConfig.builder().checkpointInterval(INTERVAL).build())) {
            append(ledger, 150_000);
            long checkpointed = settled(checkpoint);
            long spacing = checkpoint.size() / Checkpointer.BYTES_PER_EVENT;
            assertTrue(spacing > 20 * INTERVAL, "the checkpoint, not the interval, sets the spacing: " + spacing);

            // Still short of the spacing: the configured interval alone would have checkpointed 30 times.
            append(ledger, checkpointed + spacing - 1 - ledger.head());
            Thread.sleep(1_000);
            assertEquals(checkpointed, nextSeq(checkpoint), "no checkpoint before the spacing is reached");

            append(ledger, 10);
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (nextSeq(checkpoint) == checkpointed && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(nextSeq(checkpoint) >= checkpointed + spacing, "a checkpoint once the spacing is reached");
        }
    }

    private static void append(Ledger ledger, long events) {
        for (long i = 0; i < events; i++) {
            ledger.append("stream-" + (i % 1_000), ExpectedVersion.ANY, EventData.protobuf("t", PAYLOAD));
        }
    }

    /** The last checkpoint's sequence, once the checkpoint thread has stopped writing new ones. */
    private static long settled(Checkpoint checkpoint) throws IOException, InterruptedException {
        long seen = -1;
        long now = nextSeq(checkpoint);
        while (now != seen) {
            seen = now;
            Thread.sleep(1_000);
            now = nextSeq(checkpoint);
        }
        return now;
    }

    private static long nextSeq(Checkpoint checkpoint) throws IOException {
        try (LedgerState state = checkpoint.load()) {
            return state == null ? -1 : state.nextSeq();
        }
    }
}
