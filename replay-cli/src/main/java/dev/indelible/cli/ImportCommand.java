package dev.indelible.cli;

import dev.indelible.ledger.Durability;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.Operations;
import dev.indelible.server.internal.EventInput;
import dev.indelible.server.internal.EventJson;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Migrates the incident apps' JSON files into events: reads the file once to check every record,
 * then again to append, one record at a time, so memory does not grow with the file.
 *
 * <p>Design note: the import is all or nothing. A file of a million records cannot be one
 * transaction (one journal record holds at most {@code maxEventsPerAppend} events), so on the
 * embedded journal it goes through {@link Ledger#appendAllOrNothing}: the journal is copied into
 * {@code DIR/import-staging/}, the records and the {@code ops.import} event are appended to the copy,
 * which is forced and swapped in whole; existing events keep their positions. Killed before the
 * swap commits, the ledger is as it was (the next open deletes the staging); after, the next open
 * finishes the swap. It needs the ledger to itself for the copy and the swap: with another process
 * open on it (serve, a producer), it is refused (exit 3) and nothing is written. On Kafka the
 * records are appended one by one as before, not atomically; a rerun completes a run cut short,
 * since event ids derive from content.
 */
@Command(name = "import", mixinStandardHelpOptions = true,
    description = {"Migrates a legacy JSON file of the incident apps into events, all or nothing.",
        "Kinds: selfies (selfie_checks.json), accounts (users.json), videos (results.json or results.json.b64). Every record is checked first: one bad record refuses the whole file, naming it and the field, and nothing is appended.",
        "The records are appended to a copy of the journal (DIR/import-staging), swapped in whole once durable: a run interrupted (kill -9, power cut) leaves the ledger as it was or with every record. It needs the ledger to itself: refused (exit 3) while another process has it open. Event ids derive from content: a second run imports nothing. On --journal kafka:// records are appended one by one, not atomically."})
final class ImportCommand implements Callable<Integer> {
    enum Kind { selfies, accounts, videos }

    /** Appends in flight: on Kafka, enough for one sync to cover many, as {@code append --ndjson}. */
    private static final int IN_FLIGHT = 4_096;

    /** The first pass: reading a record checks it; nothing is kept. */
    private static final LegacyFiles.Records CHECK_ONLY = new LegacyFiles.Records() {
        @Override
        public void event(EventInput input) {
        }

        @Override
        public void skipped(String why) {
        }
    };

    /** Hands every record on to {@code next}, counting them, and tells {@code progress} how many of {@code total}. */
    private static final class Counted implements LegacyFiles.Records {
        private final LegacyFiles.Records next;
        private final Progress progress;
        private final long total;
        private long seen;

        Counted(LegacyFiles.Records next, Progress progress, long total) {
            this.next = next;
            this.progress = progress;
            this.total = total;
        }

        @Override
        public void event(EventInput input) {
            next.event(input);
            progress.onProgress(++seen, total);
        }

        @Override
        public void skipped(String why) {
            next.skipped(why);
            progress.onProgress(++seen, total);
        }
    }

    @Mixin
    DataOptions data;

    @Mixin
    OutputOptions output;

    @Parameters(index = "0", paramLabel = "KIND", description = "selfies, accounts or videos.")
    Kind kind;

    @Parameters(index = "1", paramLabel = "FILE", description = "The legacy JSON (or base64 JSON) file.")
    Path file;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        Instant started = Instant.now();
        Counted check = new Counted(CHECK_ONLY, Progress.open("import", spec.commandLine().getErr(), true), -1);
        read(check); // counts the records, for the bar of the pass that appends them
        Function<Ledger, ImportAppends> importAll = ledger -> importInto(ledger, check.seen, started);
        ImportAppends appends;
        if (data.kafka() != null) {
            // SYNC: a migration must survive a power cut; the window lets one sync cover many records.
            try (Ledger ledger = data.openLedger(Durability.SYNC)) {
                appends = importAll.apply(ledger);
            }
        } else {
            // The staged copy is forced whole before it is swapped in: no sync per group is needed.
            appends = Ledger.appendAllOrNothing(data.dir(), data.ledgerConfig(Durability.MEMORY_MAPPED), importAll);
        }
        print(appends.records(), appends.appended(), appends.already(), appends.skipped());
        return Main.OK;
    }

    /** The second pass: every record appended, then the {@code ops.import} event that records the run. */
    private ImportAppends importInto(Ledger ledger, long records, Instant started) {
        ImportAppends appends = new ImportAppends(ledger, IN_FLIGHT);
        try (Progress progress = Progress.open("import " + kind, spec.commandLine().getErr(), output.json)) {
            read(new Counted(appends, progress, records));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        appends.awaitDurable();
        Operations.record(ledger, "import", "import-" + kind, "import " + kind + " " + file.toAbsolutePath(), started,
            "ok", new TreeMap<>(Map.of("file", file.toAbsolutePath().toString(),
                "records", Long.toString(appends.records()), "appended", Long.toString(appends.appended()),
                "already_imported", Long.toString(appends.already()),
                "skipped", Integer.toString(appends.skipped().size()))));
        return appends;
    }

    /** One pass over the file, record by record. */
    private void read(LegacyFiles.Records records) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            switch (kind) {
                case selfies -> LegacyFiles.selfies(in, records);
                case accounts -> LegacyFiles.accounts(in, records);
                case videos -> LegacyFiles.videos(in, records);
            }
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("no file " + file);
        }
    }

    private void print(long records, long appended, long already, List<String> skipped) {
        PrintWriter out = spec.commandLine().getOut();
        if (output.json) {
            out.println(EventJson.object(g -> {
                g.writeStringField("kind", kind.name());
                g.writeNumberField("records", records);
                g.writeNumberField("appended", appended);
                g.writeNumberField("already_imported", already);
                g.writeArrayFieldStart("skipped");
                for (String s : skipped) {
                    g.writeString(s);
                }
                g.writeEndArray();
            }));
            return;
        }
        out.printf("imported %s from %s: %,d records, %,d appended, %,d already imported, %,d skipped%n",
            kind, file, records, appended, already, skipped.size());
        skipped.forEach(s -> out.println("  skipped " + s));
    }
}
