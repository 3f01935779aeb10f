package dev.indelible.ledger.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.CorruptJournalException;
import dev.indelible.ledger.Durability;
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
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A crash that tears the end of the journal: the file cut short, or zeroed, at every byte offset of
 * the last two records, and the last one or two 512-byte sectors zeroed or scrambled. The writer's reopen
 * keeps every record before the first changed byte, cuts the rest (moved aside, recorded as an
 * {@code ops.journal_repair} event) and appends after it; verify is clean. Damage followed by a
 * valid record is never cut.
 */
class TornTailTest {
    private static final int EVENTS = 100;
    private static final LedgerConfig SYNC = LedgerConfig.builder().durability(Durability.SYNC).build();

    @TempDir
    Path tmp;

    private record Span(long header, int length) {
        long end() {
            return header + 4 + length;
        }
    }

    private interface Damage {
        void apply(RandomAccessFile file) throws IOException;
    }

    @Test
    void shouldCutATailTornAtEveryByteOffsetOfTheLastTwoRecords() throws Exception {
        Path pristine = tmp.resolve("pristine");
        List<RecordedEvent> originals = writeJournal(pristine, EVENTS);
        List<Span> spans = spans(pristine);
        Span secondLast = spans.get(EVENTS - 2);
        Span last = spans.get(EVENTS - 1);
        int cases = 0;
        for (long at = secondLast.header(); at < last.end(); at++) {
            long offset = at;
            check(pristine, originals, spans, "cut short at byte " + at, f -> f.setLength(offset), at % 2 == 0);
            check(pristine, originals, spans, "zeroed from byte " + at,
                f -> zero(f, offset, last.end() + 512 - offset), at % 2 == 1);
            cases += 2;
        }
        long lastSector = (last.end() - 1) & ~511L;
        for (int sectors = 1; sectors <= 2; sectors++) {
            long start = lastSector - 512L * (sectors - 1);
            int length = 512 * sectors;
            check(pristine, originals, spans, "last " + sectors + " sectors zeroed", f -> zero(f, start, length), true);
            for (int seed = 0; seed < 8; seed++) {
                byte[] junk = new byte[length];
                new Random(seed).nextBytes(junk);
                check(pristine, originals, spans, "last " + sectors + " sectors scrambled (seed " + seed + ")", f -> {
                    f.seek(start);
                    f.write(junk);
                }, seed % 2 == 0);
                cases++;
            }
            cases++;
        }
        System.out.printf("TornTailTest: %d torn tails, every one cut to its last complete record%n", cases);
    }

    @Test
    void shouldCutAJournalWhoseOnlyRecordIsTorn() throws Exception {
        Path data = tmp.resolve("data");
        writeJournal(data, 1);
        Span only = spans(data).get(0);
        damage(data, f -> zero(f, only.header() + 40, 16));

        try (Ledger ledger = Ledger.open(data, SYNC)) {
            assertEquals("ops.journal_repair", ledger.read(0, 10).get(0).type());
            assertEquals(1, ledger.read(0, 10).size());
        }
        assertTrue(Ledger.verify(data).ok());
    }

    @Test
    void shouldNotCutDamageThatAValidRecordFollows() throws Exception {
        Path data = tmp.resolve("data");
        writeJournal(data, EVENTS);
        List<Span> spans = spans(data);
        damage(data, f -> zero(f, spans.get(EVENTS - 2).header() + 40, 16));
        deleteTree(data.resolve("journal-state")); // the checkpoint would skip the damaged record

        CorruptJournalException e = org.junit.jupiter.api.Assertions.assertThrows(CorruptJournalException.class,
            () -> Ledger.open(data, SYNC).close());
        assertFalse(e instanceof TornTailException, e.getMessage());
        assertEquals(EVENTS - 2, e.globalSeq());
        assertFalse(Files.exists(data.resolve("journal-damaged")), "nothing may be cut");
    }

    private void check(Path pristine, List<RecordedEvent> originals, List<Span> spans, String what, Damage damage,
                       boolean dropCheckpoint) throws Exception {
        Path work = JournalDamageTest.copy(pristine, tmp.resolve("work"));
        if (dropCheckpoint) {
            deleteTree(work.resolve("journal-state"));
        }
        int prefix = (int) spans.get(spans.size() - 1).end();
        byte[] before = readPrefix(work, prefix);
        damage(work, damage);
        byte[] after = readPrefix(work, prefix);
        int intact = 0;
        while (intact < spans.size() && unchanged(before, after, spans.get(intact))) {
            intact++;
        }
        int kept = intact;
        VerifyReport found = Ledger.verify(work);
        assertTrue(found.problems().stream().allMatch(p -> p.kind() == VerifyReport.Kind.TORN_TAIL && p.globalSeq() == kept),
            what + ": verify before the reopen reports " + found.problems());
        try (Ledger ledger = Ledger.open(work, SYNC)) {
            List<RecordedEvent> read = ledger.read(0, EVENTS + 10);
            for (int i = 0; i < kept; i++) {
                assertEquals(originals.get(i).eventId(), read.get(i).eventId(), what);
                assertArrayEquals(originals.get(i).payload(), read.get(i).payload(), what);
            }
            // A tail cut short on a zero header leaves nothing to cut; anything else is cut and recorded.
            boolean cut = read.size() > kept;
            assertEquals(kept + (cut ? 1 : 0), read.size(), what + ": events after the reopen");
            if (cut) {
                assertEquals("ops.journal_repair", read.get(kept).type(), what);
                assertTrue(Files.list(work.resolve("journal-damaged")).findAny().isPresent(), what + ": cut bytes kept");
            }
            AppendResult next = ledger.append("after", ExpectedVersion.ANY, EventData.protobuf("t", new byte[] {1}));
            assertEquals(read.size(), ((AppendResult.Appended) next).firstGlobalSeq(), what);
        } catch (RuntimeException | AssertionError e) {
            throw new AssertionError(what + ": " + e, e);
        }
        VerifyReport report = Ledger.verify(work);
        assertTrue(report.ok(), what + ": " + report.problems());
    }

    private static boolean unchanged(byte[] before, byte[] after, Span span) {
        int from = (int) span.header();
        int to = (int) span.end();
        return to <= after.length && Arrays.equals(before, from, to, after, from, to);
    }

    private static List<RecordedEvent> writeJournal(Path data, int events) {
        try (Ledger ledger = Ledger.open(data, SYNC)) {
            for (int i = 0; i < events; i++) {
                ledger.append("stream-" + (i % 3), ExpectedVersion.ANY,
                    EventData.protobuf("test.event", String.format("payload-%04d", i).getBytes()));
            }
            return ledger.read(0, events);
        }
    }

    private static List<Span> spans(Path data) {
        List<Span> spans = new ArrayList<>();
        RecordBuffer buffer = new RecordBuffer();
        try (ChronicleJournal journal = new ChronicleJournal(data.resolve("journal"), RollCycle.DAILY);
             JournalCursor cursor = journal.openCursor()) {
            while (cursor.next(buffer)) {
                spans.add(new Span(buffer.fileOffset(), buffer.length()));
            }
        }
        return spans;
    }

    private static Path journalFile(Path data) throws IOException {
        try (var files = Files.list(data.resolve("journal"))) {
            return files.filter(p -> p.toString().endsWith(".cq4")).findFirst().orElseThrow();
        }
    }

    /** The file's first bytes, up to the end of the records (fewer when it was cut short). */
    private static byte[] readPrefix(Path data, int length) throws IOException {
        try (RandomAccessFile file = new RandomAccessFile(journalFile(data).toFile(), "r")) {
            byte[] bytes = new byte[(int) Math.min(length, file.length())];
            file.readFully(bytes);
            return bytes;
        }
    }

    private static void damage(Path data, Damage damage) throws IOException {
        try (RandomAccessFile file = new RandomAccessFile(journalFile(data).toFile(), "rw")) {
            damage.apply(file);
        }
    }

    private static void zero(RandomAccessFile file, long from, long length) throws IOException {
        file.seek(from);
        file.write(new byte[(int) length]);
    }

    private static void deleteTree(Path dir) throws Exception {
        if (Files.exists(dir)) {
            assertEquals(0, new ProcessBuilder("rm", "-rf", dir.toString()).start().waitFor());
        }
    }
}
