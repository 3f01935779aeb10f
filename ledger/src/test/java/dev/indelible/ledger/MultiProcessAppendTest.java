package dev.indelible.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.indelible.ledger.testing.AppendWorker;
import dev.indelible.ledger.testing.ChildJvm;
import dev.indelible.ledger.testing.RacingTransactionWorker;
import dev.indelible.ledger.testing.WholeTransactions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Several OS processes append to one journal directory at once; nothing is lost or doubled. */
@Tag("system")
class MultiProcessAppendTest {
    private static final int RACE_ATTEMPTS = 300;
    private static final int RACE_STREAMS = 4;

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

    /**
     * Four processes of two threads race 2- and 3-part transactions at exact expected versions
     * (and conditions) on four shared streams: every committed one is in the journal once, each
     * event at the position and the version its result named; every refused one is absent; the
     * streams' versions are dense and hold exactly the committed events.
     */
    @Test
    void shouldCommitEachRacingTransactionWholeAtItsVersionsAndWriteNoRefusedOne() throws Exception {
        Path data = tmp.resolve("data");
        List<String> producers = List.of("r0", "r1", "r2", "r3");
        List<ChildJvm> children = new ArrayList<>();
        Map<String, List<String>> printed = new HashMap<>();
        try {
            for (String producer : producers) {
                children.add(ChildJvm.start(RacingTransactionWorker.class, tmp.resolve("stderr-" + producer + ".txt"),
                    data.toString(), producer, "2", Integer.toString(RACE_ATTEMPTS), Integer.toString(RACE_STREAMS)));
            }
            for (int i = 0; i < producers.size(); i++) {
                children.get(i).awaitSuccess(180);
                printed.put(producers.get(i), children.get(i).lines());
            }
        } finally {
            children.forEach(ChildJvm::close);
        }

        try (Ledger ledger = Ledger.open(data, LedgerConfig.defaults())) {
            Map<EventId, RecordedEvent> there = new HashMap<>();
            Map<String, Long> nextVersion = new HashMap<>();
            int switches = 0;
            String lastProducer = "";
            for (RecordedEvent e : WholeTransactions.readAll(ledger)) {
                switches += e.producerId().equals(lastProducer) ? 0 : 1;
                lastProducer = e.producerId();
                assertTrue(there.put(e.eventId(), e) == null, "event id twice at " + e.globalSeq());
                long version = nextVersion.merge(e.stream(), 1L, Long::sum) - 1;
                assertEquals(version, e.streamVersion(), "a version of " + e.stream() + " skipped or repeated");
            }
            long committedEvents = 0;
            int committed = 0;
            int refused = 0;
            for (String producer : producers) {
                for (String line : printed.get(producer)) {
                    String[] f = line.split(" ");
                    int thread = Integer.parseInt(f[1]);
                    int attempt = Integer.parseInt(f[2]);
                    if (f[0].equals("REFUSED")) {
                        refused++;
                        for (int p = 0; p < 3; p++) {
                            assertFalse(there.containsKey(RacingTransactionWorker.eventId(producer, thread, attempt, p)),
                                "refused " + producer + ": " + line + " is in the journal");
                        }
                        continue;
                    }
                    assertEquals("COMMITTED", f[0], producer + ": " + line);
                    committed++;
                    long first = Long.parseLong(f[3]);
                    for (int p = 0; p + 4 < f.length; p++) {
                        RecordedEvent e = there.get(RacingTransactionWorker.eventId(producer, thread, attempt, p));
                        String[] part = f[4 + p].split(":");
                        assertTrue(e != null, producer + ": part " + p + " of committed " + line + " is not in the journal");
                        assertEquals(first + p, e.globalSeq(), producer + ": " + line);
                        assertEquals(part[0], e.stream(), producer + ": " + line);
                        assertEquals(Long.parseLong(part[1]) + 1, e.streamVersion(), producer + ": " + line);
                        committedEvents++;
                    }
                }
            }
            assertEquals(producers.size() * 2 * RACE_ATTEMPTS, committed + refused, "an attempt without its outcome");
            assertEquals(committedEvents, ledger.head(), "events in the journal beyond the committed transactions'");
            assertTrue(refused > 0 && committed > 0, committed + " committed, " + refused + " refused: no race was run");
            VerifyReport report = ledger.verify();
            assertTrue(report.ok(), report.problems().toString());
            System.out.printf("MultiProcessAppendTest: %d racing transactions committed (%d events), %d refused, every"
                + " committed one whole at its versions, no refused one written; the writing process changed %d times"
                + " along the journal%n", committed, committedEvents, refused, switches);
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
