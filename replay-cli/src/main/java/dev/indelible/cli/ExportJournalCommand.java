package dev.indelible.cli;

import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerCopy;
import dev.indelible.server.internal.EventJson;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Moves a ledger between the embedded journal and Kafka, event for event, and proves the copy. */
@Command(name = "export-journal", mixinStandardHelpOptions = true,
    description = {"Copies the whole journal into another, empty one, then reads the copy back and compares.",
        "Event for event: global_seq, stream versions, ids, times and producers are kept.",
        "The embedded journal (--data) onto Kafka, and back into a new DIR:",
        "  export-journal --to kafka://127.0.0.1:9092/indelible",
        "  export-journal --journal kafka://127.0.0.1:9092/indelible --to DIR",
        "With --encrypt-personal-data, migrates a journal written in clear into a new DIR with its personal data sealed.",
        "Exit 1 when the event counts or the digests of the event sequence differ."})
final class ExportJournalCommand implements Callable<Integer> {
    @Mixin
    DataOptions data;

    @Mixin
    OutputOptions output;

    @Option(names = "--to", required = true, paramLabel = "JOURNAL",
        description = "kafka://HOST:PORT/TOPIC[?partition=N], or a new or empty data directory.")
    String to;

    @Option(names = "--encrypt-personal-data", description = {"Migrate a journal written before personal data was sealed:"
        + " the copy (a new data directory) gets a key store, its personal fields sealed and its reservations named by"
        + " their keyed hash; every other field is kept and compared event for event.",
        "The old journal still holds the personal data in clear: destroy it (and its backups) once the copy is in use."})
    boolean encryptPersonalData;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        OtherJournal target = OtherJournal.parse(to);
        if (encryptPersonalData) {
            if (target.dir() == null) {
                throw new IllegalArgumentException("--encrypt-personal-data: --to must be a new data directory");
            }
            BackupCommand.refuseNonEmpty(target.dir());
            return PersonalDataMigration.run(data, target.dir(), output, spec);
        }
        if (target.dir() != null) {
            BackupCommand.refuseNonEmpty(target.dir());
        }
        LedgerCopy.Copied copied;
        String readBack;
        long targetEvents;
        try (Ledger source = data.openExistingLedger()) {
            long head = source.head();
            if (target.dir() != null) {
                source.personalData().copyKeyStore(target.dir());
            }
            try (Ledger copy = target.openToAppend(data.dir())) {
                if (copy.head() != 0) {
                    throw new IllegalArgumentException("--to: " + target.describe() + " already holds " + copy.head()
                        + " events; export-journal copies into an empty journal only");
                }
                try (Progress progress = Progress.open("export-journal", spec.commandLine().getErr(), output.json)) {
                    copied = LedgerCopy.copy(source, head, copy, n -> progress.onProgress(n, head));
                }
            }
            try (Ledger copy = target.openToRead(data.dir());
                 Progress progress = Progress.open("export-journal: reading the copy back", spec.commandLine().getErr(),
                     output.json)) {
                targetEvents = copy.head();
                readBack = LedgerCopy.digest(copy, targetEvents, n -> progress.onProgress(n, targetEvents));
            }
        }
        boolean same = targetEvents == copied.events() && readBack.equals(copied.digest());
        PrintWriter out = spec.commandLine().getOut();
        out.println(output.json ? EventJson.object(g -> {
            g.writeStringField("from", data.describe());
            g.writeStringField("to", target.describe());
            g.writeNumberField("events", copied.events());
            g.writeNumberField("target_events", targetEvents);
            g.writeStringField("digest", copied.digest());
            g.writeStringField("target_digest", readBack);
            g.writeBooleanField("equal", same);
        }) : String.format("copied %,d events from %s to %s%n  source digest %s%n  target digest %s (%,d events read back): %s",
            copied.events(), data.describe(), target.describe(), copied.digest(), readBack, targetEvents,
            same ? "equal" : "DIFFERENT"));
        return same ? Main.OK : Main.VERIFY_FAILED;
    }
}
