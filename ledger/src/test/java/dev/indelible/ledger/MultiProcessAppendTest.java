package dev.indelible.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.indelible.ledger.testing.AppendWorker;
import dev.indelible.ledger.testing.ChildJvm;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Several OS processes append to one journal directory at once; nothing is lost or doubled. */
class MultiProcessAppendTest {
    @TempDir
    Path tmp;

    @Test
    void shouldKeepFourProcessesOfTwoThreadsDenseAndComplete() throws Exception {
        Path data = tmp.resolve("data");
        List<String> producers = List.of("p0", "p1", "p2", "p3");
        runAll(data, producers, 2, 25_000);

        try (Ledger ledger = Ledger.open(data, LedgerConfig.defaults())) {
            assertEquals(200_000, ledger.head());
            Map<String, Long> nextPerStream = new HashMap<>();
            Set<EventId> ids = new HashSet<>();
            long seq = 0;
            for (List<RecordedEvent> page = ledger.read(0, 20_000); !page.isEmpty(); page = ledger.read(seq, 20_000)) {
                for (RecordedEvent e : page) {
                    assertEquals(seq++, e.globalSeq());
                    long i = nextPerStream.merge(e.stream(), 1L, Long::sum) - 1;
                    assertEquals(i, e.streamVersion(), e.stream());
                    assertTrue(ids.add(e.eventId()), "event id twice at " + e.globalSeq());
                }
            }
            for (String p : producers) {
                for (int t = 0; t < 2; t++) {
                    String stream = AppendWorker.stream(p, t);
                    assertEquals(25_000L, nextPerStream.get(stream), stream);
                    List<RecordedEvent> last = ledger.readStream(stream, 24_999, 1);
                    assertEquals(AppendWorker.eventId(p, t, 24_999), last.get(0).eventId(), "producer order of " + stream);
                }
            }
            assertTrue(ledger.verify().ok());
        }
    }

    @Test
    void shouldWriteEachEventIdOnceWhenTwoProcessesAppendTheSameIds() throws Exception {
        Path data = tmp.resolve("data");
        // Same producer name: both processes append the very same 2,000 events.
        runAll(data, List.of("twin", "twin"), 1, 2_000);

        try (Ledger ledger = Ledger.open(data, LedgerConfig.defaults())) {
            assertEquals(2_000, ledger.head());
            RecordedEvent original = ledger.readStream(AppendWorker.stream("twin", 0), 1_234, 1).get(0);

            AppendResult retry = ledger.append(AppendWorker.stream("twin", 0), ExpectedVersion.ANY,
                AppendWorker.event("twin", 0, 1_234));

            AppendResult.Appended again = assertInstanceOf(AppendResult.Appended.class, retry);
            assertTrue(again.duplicate());
            assertEquals(original.globalSeq(), again.firstGlobalSeq());
            assertEquals(2_000, ledger.head());
        }
    }

    private void runAll(Path data, List<String> producers, int threads, int perThread) throws Exception {
        List<ChildJvm> children = new ArrayList<>();
        try {
            for (int i = 0; i < producers.size(); i++) {
                children.add(ChildJvm.start(AppendWorker.class, tmp.resolve("stderr-" + i + ".txt"), data.toString(),
                    producers.get(i), Integer.toString(threads), Integer.toString(perThread)));
            }
            for (ChildJvm child : children) {
                child.awaitSuccess(180);
            }
        } finally {
            children.forEach(ChildJvm::close);
        }
    }
}
