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
import dev.indelible.ledger.Transaction;
import dev.indelible.ledger.TransactionResult;
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
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A crash that tears the end of the journal: the file cut short, or zeroed, at every byte offset of
 * the last two records, and the last one or two 512-byte sectors zeroed or scrambled. The writer's reopen
 * keeps every record before the first changed byte, cuts the rest (moved aside, recorded as an
 * {@code ops.journal_repair} event) and appends after it; verify is clean. Damage followed by a
 * valid record is never cut. A transaction's record torn anywhere is cut whole.
 */
@Tag("system")
class TornTailTest {
    private static final int EVENTS = 100;
    /** The stream only the transaction writes. */
    private static final String TRANSACTION_ONLY = "stream-tx";
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

    /**
     * The last record a transaction's, torn at every byte offset of it, cut to that length or
     * zeroed from there, as the ledger reads it (a {@link SimulatedJournal}: each of the hundreds
     * of cases costs milliseconds, not the half second of a Chronicle copy, repair and reopen): the
     * open finds a torn tail at the transaction's first {@code global_seq}; once it is cut, no event
     * of the transaction is there, every event before it is, and verify is clean.
     */
    @Test
    void shouldFindATransactionTornAtEveryByteOffsetAndCutItWhole() throws Exception {
        SimulatedDisk disk = faultlessDisk();
        List<RecordedEvent> before;
        try (Ledger ledger = DefaultLedger.open(new SimulatedJournal(disk, -1), Files.createDirectories(tmp.resolve("state")),
            SYNC)) {
            before = writeWithTransaction(ledger);
        }
        List<byte[]> records = new ArrayList<>();
        for (int r = 0; r < disk.size(); r++) {
            records.add(disk.read(r));
        }
        byte[] transaction = records.get(records.size() - 1);
        for (int at = 0; at < transaction.length; at++) {
            byte[] zeroed = transaction.clone();
            Arrays.fill(zeroed, at, zeroed.length, (byte) 0);
            checkTornInSimulation(records, zeroed, before, "zeroed from byte " + at);
            checkTornInSimulation(records, Arrays.copyOf(transaction, at), before, "cut to " + at + " bytes");
        }
        System.out.printf("TornTailTest: a transaction's record of %d bytes torn at each offset (%d cases, simulated),"
            + " cut whole every time%n", transaction.length, 2 * transaction.length);
    }

    /**
     * The same on Chronicle files, at a byte of each field of the transaction's record (its
     * Chronicle header, its header and part table, each event's length, checksum and envelope,
     * its last byte), cut short there or zeroed from there: the reopen cuts the whole record.
     */
    @Test
    void shouldCutATransactionTornInAnyFieldWhole() throws Exception {
        Path pristine = tmp.resolve("pristine-transaction");
        List<RecordedEvent> before;
        try (Ledger ledger = Ledger.open(pristine, SYNC)) {
            before = writeWithTransaction(ledger);
        }
        Span record = spans(pristine).get(before.size());
        List<Long> offsets = fieldOffsets(pristine, record);
        for (int c = 0; c < offsets.size(); c++) {
            long at = offsets.get(c);
            boolean cutShort = c % 2 == 0;
            Damage damage = cutShort ? f -> f.setLength(at) : f -> zero(f, at, record.end() + 512 - at);
            checkTornOnChronicle(pristine, before, (cutShort ? "cut short at byte " : "zeroed from byte ") + at, damage,
                c % 4 < 2);
        }
        System.out.printf("TornTailTest: a transaction's record torn in each of its fields (%d cases), cut whole every"
            + " time%n", offsets.size());
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

    /** A disk whose random draws never fault: every write and sync succeeds, nothing is written back early. */
    private static SimulatedDisk faultlessDisk() {
        return new SimulatedDisk(new Random() {
            @Override
            public int nextInt(int bound) {
                return bound - 1;
            }
        }, new SimulatedDisk.Stats());
    }

    /**
     * Three single appends and a transaction of three parts ([2, 1, 1] events) as the last
     * record; returns the single appends' events.
     */
    private static List<RecordedEvent> writeWithTransaction(Ledger ledger) {
        for (int i = 0; i < 3; i++) {
            ledger.append("stream-" + i, ExpectedVersion.NO_STREAM, EventData.protobuf("test.event", ("single-" + i).getBytes()));
        }
        TransactionResult result = ledger.append(Transaction.builder()
            .append("stream-0", 0, EventData.protobuf("test.event", "tx-0".getBytes()),
                EventData.protobuf("test.event", "tx-1".getBytes()))
            .append("stream-1", 0, EventData.protobuf("test.event", "tx-2".getBytes()))
            .append(TRANSACTION_ONLY, ExpectedVersion.NO_STREAM, EventData.protobuf("test.event", "tx-3".getBytes()))
            .build());
        assertTrue(result instanceof TransactionResult.Committed, result.message());
        return ledger.read(0, 3);
    }

    private void checkTornInSimulation(List<byte[]> records, byte[] torn, List<RecordedEvent> before, String what) {
        SimulatedDisk disk = faultlessDisk();
        try {
            for (int r = 0; r < records.size() - 1; r++) {
                disk.write(records.get(r));
            }
            disk.write(torn);
            Path state = Files.createDirectories(tmp.resolve("state-" + what.replace(' ', '-')));
            TornTailException found = org.junit.jupiter.api.Assertions.assertThrows(TornTailException.class,
                () -> DefaultLedger.open(new SimulatedJournal(disk, -1), state, SYNC).close());
            assertEquals(before.size(), found.globalSeq(), found.getMessage());
            disk.cutFrom(found.firstCutAddress());
            try (Ledger ledger = DefaultLedger.open(new SimulatedJournal(disk, -1), state, SYNC)) {
                assertTransactionAbsent(ledger, before);
            }
            VerifyReport report = DefaultLedger.verify(new SimulatedJournal(disk, -1), seq -> { });
            assertTrue(report.ok(), report.problems().toString());
        } catch (Exception | AssertionError e) {
            throw new AssertionError(what + ": " + e, e);
        }
    }

    private void checkTornOnChronicle(Path pristine, List<RecordedEvent> before, String what, Damage damage,
                                      boolean dropCheckpoint) throws Exception {
        Path work = JournalDamageTest.copy(pristine, tmp.resolve("work"));
        if (dropCheckpoint) {
            deleteTree(work.resolve("journal-state"));
        }
        damage(work, damage);
        try (Ledger ledger = Ledger.open(work, SYNC)) {
            assertTransactionAbsent(ledger, before);
        } catch (RuntimeException | AssertionError e) {
            throw new AssertionError(what + ": " + e, e);
        }
        VerifyReport report = Ledger.verify(work);
        assertTrue(report.ok(), what + ": " + report.problems());
    }

    /** Every event before the transaction is there, then at most the repair's own event; its stream does not exist. */
    private static void assertTransactionAbsent(Ledger ledger, List<RecordedEvent> before) {
        List<RecordedEvent> read = ledger.read(0, 100);
        for (int i = 0; i < before.size(); i++) {
            assertEquals(before.get(i).eventId(), read.get(i).eventId());
        }
        for (RecordedEvent e : read.subList(before.size(), read.size())) {
            assertEquals("ops.journal_repair", e.type(), "an event of the torn transaction was read");
        }
        assertEquals(ExpectedVersion.NO_STREAM, ledger.streamVersion(TRANSACTION_ONLY), "the transaction's stream exists");
        assertEquals(0, ledger.streamVersion("stream-0"), "the transaction's events on stream-0");
    }

    /** A file offset in each field of the transaction's record ({@link RecordLayout}'s second diagram). */
    private static List<Long> fieldOffsets(Path data, Span record) {
        RecordBuffer buffer = new RecordBuffer();
        try (ChronicleJournal journal = new ChronicleJournal(data.resolve("journal"), RollCycle.DAILY);
             JournalCursor cursor = journal.openCursor()) {
            while (cursor.next(buffer) && buffer.fileOffset() != record.header()) {
                // to the transaction's record
            }
        }
        byte[] bytes = buffer.data();
        assertEquals(RecordLayout.PARTS_MAGIC, RecordLayout.getInt(bytes, RecordLayout.MAGIC_OFFSET));
        long start = record.header() + 4;
        List<Long> offsets = new ArrayList<>(List.of(record.header() + 1, start, start + RecordLayout.COUNT_OFFSET + 2,
            start + RecordLayout.FIRST_SEQ_OFFSET + 5, start + RecordLayout.PART_COUNT_OFFSET,
            start + RecordLayout.PARTS_PREV_CRC_OFFSET + 3));
        int parts = RecordLayout.getInt(bytes, RecordLayout.PART_COUNT_OFFSET);
        for (int p = 0; p < parts; p++) {
            offsets.add(start + RecordLayout.PART_TABLE_OFFSET + (long) p * RecordLayout.PART_ENTRY_LENGTH + (p % 2 == 0 ? 1 : 6));
        }
        int position = RecordLayout.partsHeaderLength(parts);
        for (int i = 0; position < buffer.length(); i++) {
            int length = RecordLayout.getInt(bytes, position);
            offsets.add(start + position + (i % 3 == 0 ? 0 : i % 3 == 1 ? 5 : RecordLayout.EVENT_PREFIX_LENGTH + length / 2));
            position += RecordLayout.EVENT_PREFIX_LENGTH + length;
        }
        offsets.add(record.end() - 1);
        return offsets;
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
