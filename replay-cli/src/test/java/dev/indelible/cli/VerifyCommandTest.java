package dev.indelible.cli;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;

import static org.junit.jupiter.api.Assertions.assertTrue;

class VerifyCommandTest {
    @TempDir
    Path data;
    private Cli cli;

    @BeforeEach
    void appendSome() {
        cli = new Cli(data);
        cli.run("append", "--stream", "selfies-user-7", "--type", "selfie.submitted", "--json", AppendCommandTest.SELFIE).expect(0);
        cli.run("append", "--stream", "s", "--type", "custom", "--json", "{\"k\": \"some text to flip a bit in\"}").expect(0);
        // a record after it: damage at the very end would be a torn tail, reported as TORN_TAIL
        cli.run("append", "--stream", "s", "--type", "custom", "--json", "{\"k\": \"the final record\"}").expect(0);
    }

    @Test
    void shouldPassAHealthyLedgerAndItsProjections() {
        Cli.Result r = cli.run("verify", "--projections").expect(0);
        assertTrue(r.out().contains("selfies: digest"), r.out());
        assertTrue(r.out().contains("community: no orphans"), r.out());
        assertTrue(r.out().strip().endsWith("verify: ok"), r.out());
    }

    @Test
    void shouldFindACorruptJournalRecordAndExitOne() throws Exception {
        changeJournalText("flip a bit");
        Cli.Result r = cli.run("verify").expect(Main.VERIFY_FAILED);
        assertTrue(r.out().contains("FOUND  journal: CRC_MISMATCH"), r.out());
        assertTrue(!r.out().contains("ok     journal"), "no ok line for a journal with a finding: " + r.out());
        assertTrue(r.out().contains("next   damage inside the journal (first at global_seq 1) is never cut: restore the"
            + " last backup"), r.out());
    }

    @Test
    void shouldReportATornTailThatTheNextWriterCuts() throws Exception {
        changeJournalText("final record");
        Cli.Result found = cli.run("verify").expect(Main.VERIFY_FAILED);
        assertTrue(found.out().contains("FOUND  journal: TORN_TAIL"), found.out());
        assertTrue(found.out().contains("next   a torn tail is what a crash mid-write leaves: the next writer"
            + " (indelible append, serve) cuts it from global_seq 2"), found.out());

        cli.run("append", "--stream", "s", "--type", "custom", "--json", "{\"k\": \"after\"}").expect(0);
        cli.run("verify").expect(0);
        assertTrue(cli.run("read", "--type", "ops.*").expect(0).out().contains("ops.journal_repair"));
    }

    /** Changes one byte of the first occurrence of {@code marker} in the journal file. */
    private void changeJournalText(String marker) throws Exception {
        Path cycle;
        try (Stream<Path> files = Files.list(data.resolve("journal"))) {
            cycle = files.filter(p -> p.toString().endsWith(".cq4")).findFirst().orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(cycle);
        String text = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
        int at = text.indexOf(marker);
        try (RandomAccessFile raf = new RandomAccessFile(cycle.toFile(), "rw")) {
            raf.seek(at);
            raf.write(bytes[at] ^ 0x20);
        }
    }

    @Test
    void shouldFindAProjectionThatDisagreesWithTheJournal() throws Exception {
        cli.run("replay", "selfies").expect(0);
        Path version = data.resolve("projections/selfies").resolve(
            Files.readString(data.resolve("projections/selfies/CURRENT")).strip());
        RocksDB.loadLibrary();
        List<ColumnFamilyHandle> handles = new java.util.ArrayList<>();
        try (DBOptions options = new DBOptions();
             RocksDB db = RocksDB.open(options, version.toString(), List.of(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY),
                 new ColumnFamilyDescriptor("indelible".getBytes())), handles)) {
            db.put(handles.get(0), "tampered".getBytes(), "by hand".getBytes());
            handles.forEach(ColumnFamilyHandle::close);
        }
        Cli.Result r = cli.run("verify", "--projections").expect(Main.VERIFY_FAILED);
        assertTrue(r.out().contains("FOUND  selfies: digest"), r.out());
        assertTrue(r.out().contains("differs from a fresh rebuild"), r.out());
        assertTrue(r.out().indexOf("FOUND") < r.out().indexOf("ok     journal"), "damage first: " + r.out());
    }

    @Test
    void shouldRefuseAMissingLedger() {
        cli.run("verify", "--data", data.resolve("nothing-here").toString()).expect(Main.USAGE);
    }
}
