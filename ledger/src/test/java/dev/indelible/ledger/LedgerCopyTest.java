package dev.indelible.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A copy and a digest report how far they are, a page at a time, ending at the count they were asked for. */
class LedgerCopyTest {
    @TempDir
    Path dir;

    @Test
    void shouldReportProgressPageByPageUpToTheCopiedCountAndDigestTheSame() {
        try (Ledger source = Ledger.open(dir.resolve("source"), LedgerConfig.defaults());
             Ledger target = Ledger.open(dir.resolve("target"), LedgerConfig.defaults())) {
            for (int b = 0; b < 25; b++) {
                List<EventData> batch = new ArrayList<>(); // new events each time: each has an id of its own
                for (int i = 0; i < 1_000; i++) {
                    batch.add(EventData.json("test.copied", ("{\"i\":" + i + "}").getBytes(StandardCharsets.UTF_8)));
                }
                assertTrue(source.append("s-" + b, ExpectedVersion.NO_STREAM, batch) instanceof AppendResult.Appended);
            }
            List<Long> copying = new ArrayList<>();
            LedgerCopy.Copied copied = LedgerCopy.copy(source, 25_000, target, copying::add);
            assertIncreasingTo(25_000, copying);
            List<Long> reading = new ArrayList<>();
            assertEquals(copied.digest(), LedgerCopy.digest(target, 25_000, reading::add));
            assertIncreasingTo(25_000, reading);
        }
    }

    private static void assertIncreasingTo(long end, List<Long> reported) {
        assertTrue(reported.size() >= 3, "a page at a time: " + reported);
        for (int i = 1; i < reported.size(); i++) {
            assertTrue(reported.get(i) > reported.get(i - 1), "increasing: " + reported);
        }
        assertEquals(end, reported.get(reported.size() - 1), reported.toString());
    }
}
