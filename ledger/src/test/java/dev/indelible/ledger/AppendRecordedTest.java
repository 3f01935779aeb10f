package dev.indelible.ledger;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A copy of a journal through appendRecorded holds the same events at the same positions. */
class AppendRecordedTest {
    @TempDir
    Path tmp;

    @Test
    void shouldCopyEveryEventWithAllItsFieldsAndPositions() {
        List<RecordedEvent> original;
        try (Ledger source = Ledger.open(tmp.resolve("source"), LedgerConfig.builder().producerId("origin").build())) {
            for (int i = 0; i < 300; i++) {
                List<EventData> batch = new ArrayList<>();
                for (int j = 0; j <= i % 3; j++) {
                    batch.add(EventData.json("t" + j, ("{\"i\":" + i + "}").getBytes(StandardCharsets.UTF_8))
                        .withMetadata(Map.of("k", "v" + i)));
                }
                source.append("s-" + i % 7, ExpectedVersion.ANY, batch);
            }
            original = source.read(0, 10_000);
        }
        try (Ledger copy = Ledger.open(tmp.resolve("copy"), LedgerConfig.builder().producerId("restorer").build())) {
            for (List<RecordedEvent> group : groups(original)) {
                copy.appendRecorded(group).join();
            }
            List<RecordedEvent> copied = copy.read(0, 10_000);
            assertEquals(original.size(), copied.size());
            for (int i = 0; i < original.size(); i++) {
                assertEquals(describe(original.get(i)), describe(copied.get(i)));
            }
            AppendResult.Appended next = (AppendResult.Appended) copy.append("s-0", ExpectedVersion.ANY,
                EventData.json("t", "{}".getBytes(StandardCharsets.UTF_8)));
            assertEquals(original.size(), next.firstGlobalSeq());
            assertEquals(copy.streamVersion("s-0"), next.firstStreamVersion());
            assertTrue(copy.verify().ok());
        }
        assertTrue(Ledger.verify(tmp.resolve("copy")).ok());
    }

    @Test
    void shouldRefuseEventsThatDoNotContinueTheLedgerAndWriteNothing() {
        List<RecordedEvent> original;
        try (Ledger source = Ledger.open(tmp.resolve("source"), LedgerConfig.defaults())) {
            for (int i = 0; i < 3; i++) {
                source.append("s", ExpectedVersion.ANY, EventData.json("t", "{}".getBytes(StandardCharsets.UTF_8)));
            }
            original = source.read(0, 10);
        }
        try (Ledger copy = Ledger.open(tmp.resolve("copy"), LedgerConfig.defaults())) {
            IllegalArgumentException gap = assertThrows(IllegalArgumentException.class,
                () -> copy.appendRecorded(List.of(original.get(1))));
            assertTrue(gap.getMessage().contains("does not continue this ledger"), gap.getMessage());
            copy.appendRecorded(List.of(original.get(0))).join();
            assertThrows(IllegalArgumentException.class, () -> copy.appendRecorded(List.of(original.get(0))));
            assertThrows(IllegalArgumentException.class,
                () -> copy.appendRecorded(List.of(original.get(1), original.get(0))));
            assertEquals(1, copy.head());
            assertInstanceOf(AppendResult.Appended.class, copy.appendRecorded(List.of(original.get(1))).join());
        }
    }

    private static String describe(RecordedEvent e) {
        return e.globalSeq() + " " + e.stream() + " " + e.streamVersion() + " " + e.eventId() + " " + e.type() + " "
            + e.contentType() + " " + e.recordedAtMicros() + " " + e.producerId() + " "
            + new String(e.payload(), StandardCharsets.UTF_8) + " " + e.metadata();
    }

    /** Consecutive events of one stream, time and producer: one source record or part of one. */
    static List<List<RecordedEvent>> groups(List<RecordedEvent> events) {
        List<List<RecordedEvent>> groups = new ArrayList<>();
        List<RecordedEvent> current = new ArrayList<>();
        for (RecordedEvent e : events) {
            if (!current.isEmpty()) {
                RecordedEvent last = current.get(current.size() - 1);
                if (!last.stream().equals(e.stream()) || last.recordedAtMicros() != e.recordedAtMicros()
                    || !last.producerId().equals(e.producerId()) || last.streamVersion() + 1 != e.streamVersion()) {
                    groups.add(current);
                    current = new ArrayList<>();
                }
            }
            current.add(e);
        }
        if (!current.isEmpty()) {
            groups.add(current);
        }
        return groups;
    }
}
