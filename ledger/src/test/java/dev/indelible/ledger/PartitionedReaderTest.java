package dev.indelible.ledger;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reading every partition of a journal ({@link PartitionedReader} through {@link LedgerPartitions}):
 * each partition in its order, the partitions in turn, resumed from {@link PartitionPositions}
 * with each event once; verify over all of them as one report.
 */
class PartitionedReaderTest {
    @TempDir
    Path dir;

    private final List<Ledger> ledgers = new ArrayList<>();
    private LedgerPartitions journal;

    @BeforeEach
    void open() {
        for (int p = 0; p < 3; p++) {
            ledgers.add(Ledger.open(dir.resolve("p" + p), LedgerConfig.defaults()));
        }
        journal = new LedgerPartitions() {
            @Override
            public List<Ledger> ledgers() {
                return ledgers;
            }

            @Override
            public int partitionOf(String stream) {
                return stream.charAt(stream.length() - 1) - '0';
            }

            @Override
            public Ledger ledgerFor(String stream, List<EventData> events) {
                return ledgerOf(stream);
            }

            @Override
            public Ledger ledgerFor(Transaction transaction) {
                return ledgerOf(transaction.parts().get(0).stream());
            }

            @Override
            public void close() {
                ledgers.forEach(Ledger::close);
            }
        };
    }

    @AfterEach
    void close() {
        journal.close();
    }

    @Test
    void shouldTakeThePartitionsInTurnEachInItsOrderAndResumeFromItsPosition() {
        append("s-0", 3);
        append("s-1", 1);
        append("s-2", 2);
        List<String> read = new ArrayList<>();
        PartitionPositions stopped;
        try (PartitionedReader reader = journal.openReader(PartitionPositions.start(3))) {
            assertEquals(4, reader.poll((p, e) -> read.add(p + ":" + e.globalSeq()), 4));
            stopped = reader.position();
        }
        assertEquals(List.of("0:0", "1:0", "2:0", "0:1"), read, "one event of each partition in turn");
        assertEquals(PartitionPositions.of(2, 1, 1), stopped);
        append("s-1", 1);
        try (PartitionedReader reader = journal.openReader(stopped)) {
            assertEquals(3, reader.poll((p, e) -> read.add(p + ":" + e.globalSeq()), 100));
            assertEquals(0, reader.poll((p, e) -> read.add("again"), 100), "at every partition's head");
            assertEquals(journal.head(), reader.position());
        }
        assertEquals(List.of("0:0", "1:0", "2:0", "0:1", "0:2", "1:1", "2:1"), read, "each event once");
    }

    @Test
    void shouldRefuseAPositionOfAnotherPartitionCount() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
            () -> journal.openReader(PartitionPositions.of(0, 0)));
        assertTrue(refused.getMessage().startsWith("positions: one per partition, 3, was 2"), refused.getMessage());
    }

    @Test
    void shouldReadPositionsAsAReaderGivesThemBackAndRefuseOthersSayingWhy() {
        assertEquals(PartitionPositions.of(12, 0, 7), PartitionPositions.parse(PartitionPositions.of(12, 0, 7).toString(), 3));
        assertEquals(PartitionPositions.start(3), PartitionPositions.parse("0", 3), "0: the start of every partition");
        for (String bad : List.of("1,2", "1,2,3,4", "1,x,3", "-1,0,0", "", "5")) {
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> PartitionPositions.parse(bad, 3), bad);
            assertTrue(refused.getMessage().startsWith("must be "), refused.getMessage());
        }
    }

    @Test
    void shouldVerifyEveryPartitionAsOneReport() {
        append("s-0", 2);
        append("s-2", 3);
        List<Long> progress = new ArrayList<>();
        VerifyReport report = journal.verifyAll(progress::add);
        assertTrue(report.ok(), report.toString());
        assertEquals(5, report.eventsChecked());
        assertEquals(5, progress.get(progress.size() - 1), "progress counts over every partition");
        assertEquals(2, LedgerPartitions.of(ledgers.get(0)).verifyAll(c -> { }).eventsChecked(), "one partition: its own");
    }

    private void append(String stream, int events) {
        for (int i = 0; i < events; i++) {
            journal.ledgerFor(stream, List.of()).append(stream, ExpectedVersion.ANY,
                EventData.json("t", "{}".getBytes(UTF_8)));
        }
    }
}
