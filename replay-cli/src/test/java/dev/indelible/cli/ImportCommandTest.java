package dev.indelible.cli;

import dev.indelible.ledger.EventReader;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.LedgerCopy;
import dev.indelible.ledger.internal.KillPoints;
import dev.indelible.ledger.testing.AppendWorker;
import dev.indelible.ledger.testing.ChildJvm;
import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code import} of files larger than its heap, in real processes: bounded memory, refusal before any write, kill -9. */
@Tag("system")
class ImportCommandTest {
    private static final int LARGE = 200_000;

    @TempDir
    Path tmp;

    /**
     * The file is 24.6 MB; before streaming, import held it whole, a tree of its 200,000 records
     * and a list of their events, and ran out of heap at -Xmx64m and at -Xmx128m (measured).
     */
    @Test
    void shouldImportAFileTooLargeToHoldInASmallHeap() throws Exception {
        Path file = selfies("selfie_checks.json", LARGE, null);
        Path data = tmp.resolve("data");
        try (ChildJvm child = ChildJvm.startWith(List.of("-Xmx64m", ChildJvm.FULL_JIT), Main.class, tmp.resolve("child.err"),
            "import", "selfies", file.toString(), "--data", data.toString())) {
            child.awaitSuccess(120);
            assertTrue(child.lines().get(0).contains("200,000 records, 200,000 appended, 0 already imported, 0 skipped"),
                child.lines().toString());
        }
        new Cli(data).assertJournal(LARGE + 1); // and the ops.import event
    }

    @Test
    void shouldRefuseALargeFileWhoseLastRecordIsBadAppendingNothing() throws Exception {
        Cli cli = new Cli(tmp.resolve("data"));
        cli.run("import", "selfies", selfies("first.json", 2, null).toString()).expect(0);
        Path file = selfies("bad-at-end.json", LARGE,
            "{\"user_id\": 7, \"media_type\": \"photo\", \"file_id\": 42, \"timestamp\": \"2025-11-04T12:07:00\"}");
        Cli.Result refused = cli.run("import", "selfies", file.toString()).expect(Main.USAGE);
        assertTrue(refused.err().contains("record " + LARGE + ".file_id: must be a non-empty string, was 42"), refused.err());
        cli.assertJournal(3); // the first file's two events and its ops.import: the head did not move
    }

    /**
     * Killed while appending to the staged copy, and at each step of the swap: the next open leaves
     * the ledger as it was (the three events before), or with every record and the ops.import event;
     * no staging is left, the events before keep their positions, and a rerun completes the import.
     */
    @ParameterizedTest
    @CsvSource({"mid-payload:300, false", KillPoints.IMPORT_STAGED + ":1, false", KillPoints.IMPORT_COMMITTED + ":1, true",
        KillPoints.IMPORT_MOVED_ASIDE + ":1, true", KillPoints.IMPORT_SWAPPED + ":1, true"})
    void shouldLeaveTheLedgerAsItWasOrWithEveryRecordWhenKilled(String killPoint, boolean committed) throws Exception {
        int records = 500;
        Path data = tmp.resolve("data");
        Cli cli = new Cli(data);
        cli.run("import", "selfies", selfies("first.json", 2, null).toString()).expect(0);
        String before;
        try (Ledger ledger = Ledger.open(data, LedgerConfig.defaults())) {
            before = LedgerCopy.digest(ledger, 3);
        }
        Path file = selfies("selfie_checks.json", records, null);
        try (ChildJvm child = ChildJvm.startWith(List.of("-Dindelible.killPoint=" + killPoint), Main.class,
            tmp.resolve("child.err"), "import", "selfies", file.toString(), "--data", data.toString())) {
            assertEquals(137, child.awaitExit(60), child.stderrText());
            assertTrue(child.stderrText().contains("kill point " + killPoint.substring(0, killPoint.indexOf(':'))),
                child.stderrText());
        }

        cli.run("verify").expect(0); // read-only, before any open: the journal as it was, or (moved aside) the new one
        long expected = committed ? 3 + (records - 2) + 1 : 3; // the first file's two records are this one's first two
        try (Ledger ledger = Ledger.open(data, LedgerConfig.defaults())) { // the next open: finishes or drops it
            assertEquals(expected, ledger.head());
            assertEquals(before, LedgerCopy.digest(ledger, 3), "the events before keep their positions");
        }
        assertFalse(Files.exists(data.resolve("import-staging")), "the staging is gone");
        cli.assertJournal(expected);

        Cli.Result again = cli.run("import", "selfies", file.toString()).expect(0);
        assertTrue(again.out().contains(committed ? String.format("%,d records, 0 appended, %,d already imported", records, records)
            : String.format("%,d records, %,d appended, 2 already imported", records, records - 2)), again.out());
        Map<String, Integer> types = typesInJournal(data);
        assertEquals(records, types.remove("selfie.submitted"), "each record once: " + types);
        assertEquals(committed ? 3 : 2, types.remove("ops.import"), types.toString());
        assertEquals(Map.of(), types, "nothing else");
    }

    /** A producer in another process keeps the ledger open and appending: the import is refused, and loses none of its appends. */
    @Test
    void shouldRefuseWhileAProducerProcessAppendsKeepingEveryAppendOfIt() throws Exception {
        Path data = tmp.resolve("data");
        Path file = selfies("selfie_checks.json", 100, null);
        int acknowledged;
        try (ChildJvm producer = ChildJvm.start(AppendWorker.class, tmp.resolve("producer.err"), data.toString(),
            "producer", "1", "-1")) {
            producer.awaitLines(10, 60);
            Cli.Result refused = new Cli(data).run("import", "selfies", file.toString()).expect(Main.CONFLICT);
            assertTrue(refused.err().contains("another ledger (in this or another process: serve, a producer, a replay) has "
                + data.toAbsolutePath() + " open"), refused.err());
            int before = producer.linesSoFar();
            producer.awaitLines(before + 10, 60); // it went on appending
            producer.kill9();
            acknowledged = producer.lines().size();
        }
        Map<String, Integer> types = typesInJournal(data);
        assertTrue(types.remove("test.appended") >= acknowledged, "every acknowledged append kept: " + types);
        types.remove("ops.journal_repair"); // the kill may leave a torn tail, cut at the next open
        assertEquals(Map.of(), types, "no selfie, no ops.import");
    }

    private static Map<String, Integer> typesInJournal(Path data) {
        Map<String, Integer> types = new HashMap<>();
        try (Ledger ledger = Ledger.open(data, LedgerConfig.defaults()); EventReader reader = ledger.openReader(0)) {
            while (reader.poll(e -> types.merge(e.type(), 1, Integer::sum), 10_000) > 0) {
                // until the head
            }
        }
        return types;
    }

    /** A selfies array of {@code records} records over 1,000 users, then {@code last} when given. */
    private Path selfies(String name, int records, String last) throws Exception {
        Path file = tmp.resolve(name);
        try (BufferedWriter out = Files.newBufferedWriter(file)) {
            out.write("[\n");
            for (int i = 0; i < records; i++) {
                out.write(String.format("{\"user_id\": %d, \"media_type\": \"photo\", \"file_id\": \"AgAC%09d\","
                    + " \"timestamp\": \"2025-11-%02dT%02d:%02d:00\"}", 1_201_900_000 + i % 1_000, i, 1 + i % 28, i % 24, i % 60));
                out.write(i < records - 1 || last != null ? ",\n" : "\n");
            }
            out.write(last == null ? "]\n" : last + "]\n");
        }
        return file;
    }
}
