package dev.indelible.projections;

import dev.indelible.ledger.EventData;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksIterator;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A projection version written before partitions (checkpoint {@code next_seq} alone, no partition
 * count) still opens and resumes from its checkpoint over one ledger, and a single ledger still
 * writes exactly that layout, so earlier releases read what this one writes. Several partitions add
 * {@code next_seq.<p>} and {@code partitions}.
 */
class SingleLedgerCheckpointTest {

    private static final byte[] META = "indelible".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path data;

    @Test
    void shouldResumeAVersionWrittenBeforePartitionsFromItsCheckpoint() throws Exception {
        try (Ledger ledger = Ledger.open(data, LedgerConfig.defaults())) {
            append(ledger, 12);
            Path version = data.resolve("projections").resolve("streams").resolve("v1-000001");
            Files.createDirectories(version);
            writeVersionBeforePartitions(version, 10); // as the code before partitions left it: 10 of 12 applied
            Files.writeString(version.getParent().resolve("CURRENT"), "v1-000001\n");
            try (ProjectionEngine engine = ProjectionEngine.start(List.of(ledger), data.resolve("projections"),
                    List.of(new StreamCountingProjection("streams")))) {
                assertTrue(engine.awaitCaughtUp(Duration.ofSeconds(30)));
                assertEquals("v1-000001", engine.status("streams").liveVersion(), "opened, not rebuilt");
                assertEquals(12L, (long) engine.read("streams", StreamCountingProjection::applies),
                        "the 10 counted before, and the 2 after its checkpoint once each");
                assertEquals(List.of(12L), engine.status("streams").positions());
            }
            assertEquals(List.of("applied", "code_version", "complete", "next_seq"), metaKeys(version),
                    "one ledger writes the layout earlier releases read");
        }
    }

    @Test
    void shouldAddACheckpointPerPartitionAndTheCountOverSeveral() throws Exception {
        List<Ledger> partitions = new ArrayList<>();
        try {
            for (int p = 0; p < 3; p++) {
                partitions.add(Ledger.open(data.resolve("p" + p), LedgerConfig.defaults()));
                append(partitions.get(p), p + 1);
            }
            Path dir = data.resolve("projections");
            RebuildResult built = OfflineProjections.rebuild(partitions, dir, List.of(new StreamCountingProjection("streams")),
                    (position, target) -> { }).get(0);
            assertEquals(List.of("applied", "code_version", "complete", "next_seq", "next_seq.1", "next_seq.2", "partitions"),
                    metaKeys(dir.resolve("streams").resolve(built.newVersion())));
        } finally {
            partitions.forEach(Ledger::close);
        }
    }

    private static void append(Ledger ledger, int events) {
        for (int i = 0; i < events; i++) {
            ledger.append("s-" + i % 3, ExpectedVersion.ANY, EventData.json("test.counted", "{}".getBytes(StandardCharsets.UTF_8)));
        }
    }

    /** A version as the engine wrote it before partitions: state, then next_seq, applied, code_version and complete. */
    private static void writeVersionBeforePartitions(Path version, long applied) throws Exception {
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try (DBOptions options = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true);
             RocksDB db = RocksDB.open(options, version.toString(), List.of(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY),
                     new ColumnFamilyDescriptor(META)), handles)) {
            db.put(handles.get(0), Keys.of('t').build(), Keys.encodeLong(applied));
            db.put(handles.get(1), bytes("next_seq"), Keys.encodeLong(applied));
            db.put(handles.get(1), bytes("applied"), Keys.encodeLong(applied));
            db.put(handles.get(1), bytes("code_version"), Keys.encodeLong(1));
            db.put(handles.get(1), bytes("complete"), Keys.encodeLong(1));
            handles.forEach(ColumnFamilyHandle::close);
        }
    }

    private static List<String> metaKeys(Path version) throws Exception {
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        try (DBOptions options = new DBOptions();
             RocksDB db = RocksDB.openReadOnly(options, version.toString(), List.of(
                     new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY), new ColumnFamilyDescriptor(META)), handles);
             RocksIterator it = db.newIterator(handles.get(1))) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                keys.add(new String(it.key(), StandardCharsets.UTF_8));
            }
            handles.forEach(ColumnFamilyHandle::close);
        }
        return keys;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
