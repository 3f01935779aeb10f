package dev.indelible.ledger.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.indelible.ledger.EventData;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.RollCycle;
import dev.indelible.ledger.internal.chronicle.ChronicleJournal;
import dev.indelible.ledger.spi.JournalCursor;
import dev.indelible.ledger.spi.RecordBuffer;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The loader phase: the state from a checkpoint and the tail, or the damage as a value, and nothing cut. */
class JournalLoaderTest {
    @TempDir
    Path data;

    @Test
    void shouldLoadFromTheCheckpointAndFollowOnlyTheTail() throws IOException {
        append(50);
        Path saved = data.resolve("saved.ckpt");
        Files.copy(checkpointFile(), saved);
        append(10);
        Files.copy(saved, checkpointFile(), StandardCopyOption.REPLACE_EXISTING);

        try (ChronicleJournal journal = journal()) {
            JournalLoader.Loaded loaded = assertInstanceOf(JournalLoader.Loaded.class, load(journal));
            try (Follower follower = loaded.follower()) {
                assertEquals(50, loaded.checkpointedSeq());
                assertEquals(Files.size(checkpointFile()), loaded.checkpointBytes());
                assertEquals(10, follower.applied(), "only the tail after the checkpoint is followed");
                assertEquals(60, follower.state().nextSeq());
                assertEquals(59, follower.state().streams().version("s"));
            }
        }
    }

    @Test
    void shouldScanTheWholeJournalWhenTheCheckpointIsOfAnotherJournal() throws IOException {
        append(30);
        Path other = data.resolve("other");
        try (Ledger ledger = Ledger.open(other, LedgerConfig.defaults())) {
            ledger.append("x", ExpectedVersion.ANY, EventData.json("t", "{}".getBytes()));
        }
        Files.copy(other.resolve("journal-state").resolve(Checkpoint.FILE_NAME), checkpointFile(),
            StandardCopyOption.REPLACE_EXISTING);

        try (ChronicleJournal journal = journal()) {
            JournalLoader.Loaded loaded = assertInstanceOf(JournalLoader.Loaded.class, load(journal));
            try (Follower follower = loaded.follower()) {
                assertEquals(0, loaded.checkpointedSeq());
                assertEquals(30, follower.applied());
                assertEquals(30, follower.state().nextSeq());
            }
        }
    }

    @Test
    void shouldReturnATornEndAsAValueAndCutNothing() throws IOException {
        append(20);
        List<long[]> spans = spans();
        long[] last = spans.get(spans.size() - 1);
        Path file = cycleFile();
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(last[0] + 10);
            f.write(new byte[(int) last[1] - 6]);
        }
        Files.delete(checkpointFile());
        long size = Files.size(file);

        JournalDamage damage;
        try (ChronicleJournal journal = journal()) {
            damage = assertInstanceOf(JournalLoader.Damaged.class, load(journal)).damage();
        }
        assertTrue(damage.torn(), damage.toString());
        assertEquals(19, damage.globalSeq());
        assertTrue(damage.firstCutAddress() >= 0);
        assertInstanceOf(TornTailException.class, damage.exception());
        assertEquals(size, Files.size(file), "the loader cuts nothing");
        assertFalse(Files.exists(data.resolve("journal-damaged")));
    }

    @Test
    void shouldReturnDamageThatAValidRecordFollowsAsNotTorn() throws IOException {
        append(20);
        long[] fifth = spans().get(5);
        try (RandomAccessFile f = new RandomAccessFile(cycleFile().toFile(), "rw")) {
            f.seek(fifth[0] + 20);
            f.write(new byte[8]);
        }
        Files.delete(checkpointFile());

        try (ChronicleJournal journal = journal()) {
            JournalDamage damage = assertInstanceOf(JournalLoader.Damaged.class, load(journal)).damage();
            assertFalse(damage.torn(), damage.toString());
            assertEquals(5, damage.globalSeq());
            assertFalse(damage.exception() instanceof TornTailException);
        }
    }

    private JournalLoader.Outcome load(ChronicleJournal journal) {
        return JournalLoader.load(journal, new Checkpoint(data.resolve("journal-state")));
    }

    private ChronicleJournal journal() {
        return new ChronicleJournal(data.resolve("journal"), RollCycle.DAILY);
    }

    private void append(int events) {
        try (Ledger ledger = Ledger.open(data, LedgerConfig.defaults())) {
            for (int i = 0; i < events; i++) {
                ledger.append("s", ExpectedVersion.ANY, EventData.json("t", ("{\"i\":" + i + "}").getBytes()));
            }
        }
    }

    private Path checkpointFile() {
        return data.resolve("journal-state").resolve(Checkpoint.FILE_NAME);
    }

    /** Each record's header offset in its file and its length. */
    private List<long[]> spans() {
        List<long[]> spans = new ArrayList<>();
        RecordBuffer buffer = new RecordBuffer();
        try (ChronicleJournal journal = journal(); JournalCursor cursor = journal.openCursor()) {
            while (cursor.next(buffer)) {
                spans.add(new long[] {buffer.fileOffset(), buffer.length()});
            }
        }
        return spans;
    }

    private Path cycleFile() throws IOException {
        try (var files = Files.list(data.resolve("journal"))) {
            return files.filter(p -> p.toString().endsWith(".cq4")).findFirst().orElseThrow();
        }
    }
}
