package dev.indelible.ledger;

import static dev.indelible.ledger.testing.Bytes.indexOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A byte changed on disk is found by {@code verify()} and never read back as a valid event. */
class JournalCorruptionTest {
    private static final int EVENTS = 1_000;
    private static final int DAMAGED_SEQ = 617;

    @TempDir
    Path dir;

    @Test
    void shouldNameTheGlobalSeqOfARecordWithAFlippedPayloadByte() throws IOException {
        writeJournal();
        flipByteOf(marker(DAMAGED_SEQ));

        try (Ledger ledger = Ledger.open(dir, LedgerConfig.defaults())) {
            VerifyReport report = ledger.verify();

            assertFalse(report.ok(), "verify must find the flipped byte");
            VerifyReport.Problem first = report.problems().get(0);
            assertEquals(VerifyReport.Kind.CRC_MISMATCH, first.kind(), first.toString());
            assertEquals(DAMAGED_SEQ, first.globalSeq(), first.toString());
            assertTrue(first.location().contains(".cq4@"), first.location());
        }
    }

    @Test
    void shouldNeverReturnTheDamagedEventFromARead() throws IOException {
        writeJournal();
        flipByteOf(marker(DAMAGED_SEQ));

        try (Ledger ledger = Ledger.open(dir, LedgerConfig.defaults())) {
            List<RecordedEvent> before = ledger.read(0, DAMAGED_SEQ);
            CorruptJournalException e = assertThrows(CorruptJournalException.class,
                () -> ledger.read(DAMAGED_SEQ - 5, 100));

            assertEquals(DAMAGED_SEQ, before.size());
            assertEquals(DAMAGED_SEQ, e.globalSeq(), e.getMessage());
            assertThrows(CorruptJournalException.class, () -> ledger.read(DAMAGED_SEQ, 1));
        }
    }

    @Test
    void shouldReportAnIntactJournalAsOk() throws IOException {
        writeJournal();

        try (Ledger ledger = Ledger.open(dir, LedgerConfig.defaults())) {
            VerifyReport report = ledger.verify();

            assertTrue(report.ok(), report.problems().toString());
            assertEquals(EVENTS, report.eventsChecked());
        }
    }

    private void writeJournal() {
        try (Ledger ledger = Ledger.open(dir, LedgerConfig.defaults())) {
            for (int i = 0; i < EVENTS; i++) {
                AppendResult r = ledger.append("stream-" + (i % 7), ExpectedVersion.ANY,
                    EventData.protobuf("test.event", marker(i)));
                assertEquals(i, ((AppendResult.Appended) r).firstGlobalSeq());
            }
        }
    }

    private static byte[] marker(int i) {
        return String.format("payload-marker-%06d-end", i).getBytes(StandardCharsets.US_ASCII);
    }

    /** Flips one bit in the middle of the only occurrence of {@code needle} in the journal files. */
    private void flipByteOf(byte[] needle) throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve("journal"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".cq4")).toList()) {
                byte[] content = Files.readAllBytes(file);
                int at = indexOf(content, needle);
                if (at >= 0) {
                    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
                        raf.seek(at + needle.length / 2);
                        raf.write(content[at + needle.length / 2] ^ 0x01);
                    }
                    return;
                }
            }
        }
        throw new AssertionError("marker not found in the journal files");
    }
}
