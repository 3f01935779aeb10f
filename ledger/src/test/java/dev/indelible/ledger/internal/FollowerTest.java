package dev.indelible.ledger.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.RecordedEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The catch-up an append skips when nothing was written since its ledger's last record: another
 * ledger's record in between must still be seen, at every point of a run of skipped catch-ups.
 */
class FollowerTest {
    private static final LedgerConfig CONFIG = LedgerConfig.defaults();

    @TempDir
    Path dir;

    @Test
    void shouldSeeAnotherLedgersAppendAfterARunOfItsOwn() {
        try (Ledger mine = Ledger.open(dir, CONFIG); Ledger other = Ledger.open(dir, CONFIG)) {
            long version = -1;
            // runs of appends that find nothing new to follow: read back, and skipped by a seek
            int[] runs = {1, 5, 16, 17, 50};
            for (int round = 0; round < runs.length; round++) {
                for (int i = 0; i < runs[round]; i++) {
                    assertAppended(mine.append("s", version, event()), version + 1);
                    version++;
                }
                assertAppended(other.append("s", version, event()), version + 1);
                version++;
                // mine still believes version - 1 is the last, unless it sees other's record
                AppendResult stale = mine.append("s", version - 1, event());
                assertEquals(new AppendResult.WrongExpectedVersion("s", version - 1, version), stale);
            }
            assertEquals(runs.length, mine.metrics().caughtUp());
            assertDense(mine.readStream("s", 0, 1000), version + 1);
            assertDense(other.readStream("s", 0, 1000), version + 1);
        }
    }

    @Test
    void shouldReadAnotherLedgersAppendAfterARunOfItsOwn() {
        try (Ledger mine = Ledger.open(dir, CONFIG); Ledger other = Ledger.open(dir, CONFIG)) {
            for (int i = 0; i < 100; i++) {
                mine.append("mine", ExpectedVersion.ANY, event());
            }
            other.append("other", ExpectedVersion.NO_STREAM, event());
            List<RecordedEvent> read = mine.readStream("other", 0, 10);
            assertEquals(1, read.size());
            assertEquals(100, read.get(0).globalSeq());
            assertAppended(mine.append("mine", 99, event()), 100);
            assertEquals(102, ((AppendResult.Appended) mine.append("other", 0, event())).firstGlobalSeq());
        }
    }

    private static void assertAppended(AppendResult result, long expectedVersion) {
        assertEquals(expectedVersion, ((AppendResult.Appended) result).firstStreamVersion(), result::toString);
    }

    private static void assertDense(List<RecordedEvent> events, long count) {
        assertEquals(count, events.size());
        for (int i = 0; i < count; i++) {
            assertEquals(i, events.get(i).streamVersion());
            assertEquals(i, events.get(i).globalSeq());
        }
    }

    private static EventData event() {
        return EventData.json("t", "{}".getBytes(StandardCharsets.UTF_8));
    }
}
