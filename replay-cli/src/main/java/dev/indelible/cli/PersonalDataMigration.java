package dev.indelible.cli;

import dev.indelible.ledger.Durability;
import dev.indelible.ledger.EventReader;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerCopy;
import dev.indelible.ledger.PersonalData;
import dev.indelible.ledger.RecordedEvent;
import dev.indelible.server.internal.EventJson;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code export-journal --to NEW --encrypt-personal-data}: copies a journal written before personal
 * data was sealed into a new data directory that seals it, then reads the copy back and compares it
 * event for event with the source: positions, ids, types, times, producers and metadata equal, each
 * stream the source's or (a personal one) its keyed hash, each payload the source's with its personal
 * fields sealed (sealing is deterministic, so the expected bytes are recomputed and compared whole).
 *
 * <p>Stateless.
 */
final class PersonalDataMigration {
    private static final int PAGE = 10_000;

    private PersonalDataMigration() {
    }

    static int run(DataOptions data, Path dir, OutputOptions output, CommandSpec spec) {
        long events;
        long sealed;
        List<String> differences = new ArrayList<>();
        try (Ledger source = data.openExistingLedgerInClear()) {
            events = source.head();
            if (source.personalData().keyStore() != null) {
                throw new IllegalArgumentException("--encrypt-personal-data: " + data.describe() + " has a key store"
                    + " already (" + source.personalData().keyStore() + "): its personal data is sealed; copy it without"
                    + " --encrypt-personal-data");
            }
            try (Ledger copy = Ledger.open(dir, data.ledgerConfig(Durability.SYNC));
                 Progress progress = Progress.open("export-journal --encrypt-personal-data", spec.commandLine().getErr(),
                     output.json)) {
                PersonalData personal = copy.personalData();
                LedgerCopy.copy(source, events, copy, personal::sealed, n -> progress.onProgress(n, events));
                sealed = compare(source, copy, events, differences);
            }
        }
        boolean same = differences.isEmpty();
        PrintWriter out = spec.commandLine().getOut();
        out.println(output.json ? EventJson.object(g -> {
            g.writeStringField("from", data.describe());
            g.writeStringField("to", dir.toAbsolutePath().toString());
            g.writeNumberField("events", events);
            g.writeNumberField("sealed_events", sealed);
            g.writeBooleanField("equal", same);
            g.writeArrayFieldStart("differences");
            for (String d : differences) {
                g.writeString(d);
            }
            g.writeEndArray();
        }) : String.format("copied %,d events from %s to %s, %,d with personal data sealed or streams re-keyed; %s%n"
            + "  the old journal still holds personal data in clear: once %s is in use, destroy %s and its backups",
            events, data.describe(), dir, sealed, same ? "every other field equal" : differences.size() + " DIFFERENCES: "
                + differences.subList(0, Math.min(10, differences.size())), dir, data.describe()));
        return same ? Main.OK : Main.VERIFY_FAILED;
    }

    /** @return how many events differ from the source only by their sealing; the others must be equal whole */
    private static long compare(Ledger source, Ledger copy, long events, List<String> differences) {
        long changed = 0;
        try (EventReader theirs = source.openReader(0); EventReader ours = copy.openReader(0)) {
            List<RecordedEvent> a = new ArrayList<>(PAGE);
            List<RecordedEvent> b = new ArrayList<>(PAGE);
            long seen = 0;
            while (seen < events) {
                a.clear();
                b.clear();
                theirs.poll(a::add, (int) Math.min(PAGE, events - seen));
                ours.poll(b::add, a.size());
                if (a.isEmpty() || b.size() != a.size()) {
                    differences.add("the copy ends at " + (seen + b.size()) + " events, the source holds " + events);
                    return changed;
                }
                for (int i = 0; i < a.size(); i++) {
                    RecordedEvent expected = copy.personalData().sealed(a.get(i));
                    if (!same(expected, b.get(i))) {
                        differences.add("global_seq " + a.get(i).globalSeq());
                    } else if (!same(a.get(i), b.get(i))) {
                        changed++;
                    }
                }
                seen += a.size();
            }
        }
        return changed;
    }

    private static boolean same(RecordedEvent x, RecordedEvent y) {
        return x.globalSeq() == y.globalSeq() && x.stream().equals(y.stream()) && x.streamVersion() == y.streamVersion()
            && x.eventId().equals(y.eventId()) && x.type().equals(y.type()) && x.contentType() == y.contentType()
            && x.recordedAtMicros() == y.recordedAtMicros() && x.producerId().equals(y.producerId())
            && Arrays.equals(x.payload(), y.payload()) && x.metadata().equals(y.metadata());
    }
}
