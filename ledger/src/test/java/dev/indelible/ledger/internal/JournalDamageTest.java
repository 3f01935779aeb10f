package dev.indelible.ledger.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.indelible.ledger.CorruptJournalException;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.RecordedEvent;
import dev.indelible.ledger.RollCycle;
import dev.indelible.ledger.VerifyReport;
import dev.indelible.ledger.internal.chronicle.ChronicleJournal;
import dev.indelible.ledger.spi.JournalCursor;
import dev.indelible.ledger.spi.RecordBuffer;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damage inside committed records is always found and never read back as a valid event: every
 * sampled single-byte change (all of them with {@code -Dindelible.soak=true}), a record replaced
 * by a copy of another valid one, and a record missing from the sequence.
 */
class JournalDamageTest {
    private static final int EVENTS = 1_000;
    private static final boolean SOAK = Boolean.getBoolean("indelible.soak");
    private static final int SAMPLES = Integer.getInteger("indelible.corruptionSamples", 150);

    @TempDir
    Path tmp;

    /** Where one record's bytes are, and which events it holds. */
    private record Span(Path file, long offset, int length, long firstSeq, int count) {
    }

    @Test
    void shouldDetectEverySampledSingleByteChangeInsideCommittedRecords() throws Exception {
        Path pristine = tmp.resolve("pristine");
        List<RecordedEvent> originals = writeJournal(pristine);
        List<Span> spans = spans(pristine);
        long totalBytes = spans.stream().mapToLong(Span::length).sum();
        long seed = Long.getLong("indelible.seed", System.nanoTime());
        System.out.printf("JournalDamageTest: %d records, %d bytes, %s, seed %d%n", spans.size(), totalBytes,
            SOAK ? "every byte" : SAMPLES + " samples", seed);
        Random random = new Random(seed);
        long tried = 0;
        for (long n = 0; n < (SOAK ? totalBytes : SAMPLES); n++) {
            long pick = SOAK ? n : (long) (random.nextDouble() * totalBytes);
            Span span = spanHolding(spans, pick);
            long at = span.offset() + (pick - offsetOf(spans, span));
            Path work = copy(pristine, tmp.resolve("work"));
            flip(work.resolve(pristine.relativize(span.file())), at, 1 + random.nextInt(255));
            assertDetected(work, span, originals, "byte " + at + " of " + span.file().getFileName() + " (seed " + seed + ")");
            tried++;
        }
        System.out.printf("JournalDamageTest: %d corruptions tried, 0 undetected%n", tried);
    }

    @Test
    void shouldDetectARecordReplacedByACopyOfAnotherValidRecord() throws Exception {
        Path data = tmp.resolve("data");
        List<RecordedEvent> originals = writeJournal(data);
        List<Span> spans = spans(data);
        Span victim = spans.get(500);
        Span donor = spans.stream().filter(s -> s.length() == victim.length() && s != victim).findFirst().orElseThrow();
        byte[] copy = new byte[donor.length()];
        try (RandomAccessFile donorFile = new RandomAccessFile(donor.file().toFile(), "r");
             RandomAccessFile victimFile = new RandomAccessFile(victim.file().toFile(), "rw")) {
            donorFile.seek(donor.offset());
            donorFile.readFully(copy);
            victimFile.seek(victim.offset());
            victimFile.write(copy);
        }

        assertDetected(data, victim, originals, "record at global_seq " + victim.firstSeq() + " replaced");
    }

    @Test
    void shouldReportAMissingRecordAsAGapAndABrokenChain() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("journal"));
        RecordEncoder encoder = new RecordEncoder();
        try (ChronicleJournal journal = new ChronicleJournal(dir, RollCycle.DAILY)) {
            int prevCrc = 0;
            for (long seq = 0; seq < 10; seq++) {
                EncodedEvents events = new EncodedEvents().add("s", EventData.protobuf("t", new byte[] {(byte) seq}),
                    "test");
                int length = encoder.encode(events, seq, seq, seq == 0 ? RecordLayout.NO_ADDRESS : seq - 1, prevCrc, 0);
                prevCrc = encoder.lastCrc();
                if (seq != 4) { // record 4 is "removed": written nowhere, though record 5 follows it
                    journal.write(out -> out.write(encoder.buffer(), 0, length));
                }
            }
            VerifyReport report = new JournalVerifier(journal, checked -> { }).run();

            assertFalse(report.ok());
            assertTrue(report.problems().stream().anyMatch(p -> p.kind() == VerifyReport.Kind.GAP && p.globalSeq() == 4),
                report.problems().toString());
            assertTrue(report.problems().stream().anyMatch(p -> p.kind() == VerifyReport.Kind.CRC_MISMATCH
                && p.detail().contains("chain")), report.problems().toString());
        }
    }

    /** Verify finds the damage, and neither open nor read ever hands out a changed event. */
    private static void assertDetected(Path data, Span span, List<RecordedEvent> originals, String what) {
        VerifyReport report = Ledger.verify(data);
        assertFalse(report.ok(), "undetected: " + what);
        long reported = report.problems().get(0).globalSeq();
        assertTrue(reported >= span.firstSeq() && reported < span.firstSeq() + span.count(),
            what + ": reported at " + reported + ", record holds " + span.firstSeq() + ".." + (span.firstSeq() + span.count() - 1));
        try (Ledger ledger = Ledger.open(data, LedgerConfig.defaults())) {
            for (long from = 0; from < EVENTS; ) {
                List<RecordedEvent> page = ledger.read(from, 400);
                if (page.isEmpty()) {
                    break;
                }
                for (RecordedEvent e : page) {
                    if (e.type().equals("ops.journal_repair")) {
                        // the open cut a damaged last record as a torn tail: only the last may be cut
                        assertEquals(EVENTS, span.firstSeq() + span.count(), what + ": cut a record that is not the last");
                        assertEquals(span.firstSeq(), e.globalSeq(), what);
                        break;
                    }
                    RecordedEvent original = originals.get((int) e.globalSeq());
                    assertEquals(original.eventId(), e.eventId(), what);
                    assertArrayEquals(original.payload(), e.payload(), what + ": a changed event was read back as valid");
                }
                from += page.size();
            }
        } catch (CorruptJournalException expected) {
            // refused to open or to read past the damage: the right answer
        }
    }

    private static List<RecordedEvent> writeJournal(Path data) {
        try (Ledger ledger = Ledger.open(data, LedgerConfig.defaults())) {
            for (int i = 0; i < EVENTS; ) {
                int n = i % 10 == 3 ? 3 : 1;
                List<EventData> batch = new ArrayList<>();
                for (int j = 0; j < n; j++) {
                    batch.add(EventData.protobuf("test.event", String.format("payload-%06d", i + j).getBytes()));
                }
                ledger.append("stream-" + (i % 7), ExpectedVersion.ANY, batch);
                i += n;
            }
            return ledger.read(0, EVENTS);
        }
    }

    private static List<Span> spans(Path data) {
        List<Span> spans = new ArrayList<>();
        Path journalDir = data.resolve("journal");
        RecordBuffer buffer = new RecordBuffer();
        RecordView view = new RecordView();
        try (ChronicleJournal journal = new ChronicleJournal(journalDir, RollCycle.DAILY);
             JournalCursor cursor = journal.openCursor()) {
            while (cursor.next(buffer)) {
                view.load(buffer);
                // the location is Chronicle's 4-byte header; the record's bytes follow it
                spans.add(new Span(journalDir.resolve(buffer.file()), buffer.fileOffset() + 4, buffer.length(),
                    view.firstSeq(), view.count()));
            }
        }
        return spans;
    }

    private static Span spanHolding(List<Span> spans, long pick) {
        long seen = 0;
        for (Span s : spans) {
            if (pick < seen + s.length()) {
                return s;
            }
            seen += s.length();
        }
        throw new IllegalArgumentException("byte " + pick + " is past the records");
    }

    private static long offsetOf(List<Span> spans, Span span) {
        long seen = 0;
        for (Span s : spans) {
            if (s == span) {
                return seen;
            }
            seen += s.length();
        }
        throw new IllegalArgumentException();
    }

    /** Copies a data directory, replacing {@code to}; shared with {@link TornTailTest}. */
    static Path copy(Path from, Path to) throws Exception {
        if (Files.exists(to)) {
            assertEquals(0, new ProcessBuilder("rm", "-rf", to.toString()).start().waitFor());
        }
        // cp keeps Chronicle's sparse 80 MiB files sparse, so a copy costs only the bytes written.
        assertEquals(0, new ProcessBuilder("cp", "-a", "--sparse=always", from.toString(), to.toString())
            .start().waitFor());
        return to;
    }

    private static void flip(Path file, long at, int mask) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(at);
            int b = raf.read();
            raf.seek(at);
            raf.write(b ^ mask);
        }
    }
}
