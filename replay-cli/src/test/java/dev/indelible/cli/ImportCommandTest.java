package dev.indelible.cli;

import dev.indelible.ledger.EventId;
import dev.indelible.ledger.EventReader;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.testing.ChildJvm;
import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static dev.indelible.ledger.testing.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
        try (ChildJvm child = ChildJvm.startWith(List.of("-Xmx64m"), Main.class, tmp.resolve("child.err"),
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

    @Test
    void shouldCompleteAnImportKilledMidwayWhenRunAgainAppendingEachRecordOnce() throws Exception {
        int records = 100_000;
        Path file = selfies("selfie_checks.json", records, null);
        Path data = tmp.resolve("data");
        long before;
        try (ChildJvm child = ChildJvm.start(Main.class, tmp.resolve("child.err"),
            "import", "selfies", file.toString(), "--data", data.toString())) {
            awaitEvents(data, records / 10, child);
            child.kill9();
            before = Ledger.verify(data).eventsChecked();
        }
        assertTrue(before > 0 && before < records, "killed mid-way, at " + before + " of " + records);
        Cli.Result again = new Cli(data).run("import", "selfies", file.toString()).expect(0);
        assertTrue(again.out().contains(String.format("%,d records, %,d appended, %,d already imported, 0 skipped",
            records, records - before, before)), again.out());
        // a kill mid-append may leave a torn tail, which the next open cuts and records as ops.journal_repair
        Map<String, Integer> types = typesInJournal(data);
        assertEquals(records, types.remove("selfie.submitted"), "each record once: " + types);
        assertEquals(1, types.remove("ops.import"), types.toString());
        types.remove("ops.journal_repair");
        assertEquals(Map.of(), types, "nothing else");
        assertEquals(records + 1 + 0L, distinctEventIds(data) - repairs(data), "every event id distinct");
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

    private static long repairs(Path data) {
        return typesInJournal(data).getOrDefault("ops.journal_repair", 0);
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

    /** Polls the journal, read-only, until it holds {@code events} events. */
    private static void awaitEvents(Path data, long events, ChildJvm child) throws Exception {
        await(() -> Files.exists(data.resolve("journal")) && Ledger.verify(data).eventsChecked() >= events,
            Duration.ofSeconds(60), () -> "fewer than " + events + " events; stderr:\n" + child.stderrText());
    }

    private static int distinctEventIds(Path data) {
        Set<EventId> ids = new HashSet<>();
        try (Ledger ledger = Ledger.open(data, LedgerConfig.defaults()); EventReader reader = ledger.openReader(0)) {
            while (reader.poll(e -> ids.add(e.eventId()), 10_000) > 0) {
                // until the head
            }
        }
        return ids.size();
    }
}
