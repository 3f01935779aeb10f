package dev.indelible.cli;

import dev.indelible.projections.OfflineProjections;
import dev.indelible.projections.reference.CommunityProjection;
import dev.indelible.projections.reference.CommunityQueries;
import dev.indelible.server.internal.EventJson;

import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerPartitions;
import dev.indelible.ledger.PartitionPositions;
import dev.indelible.ledger.LedgerException;
import dev.indelible.ledger.PersonalData;
import dev.indelible.ledger.LedgerCopy;
import dev.indelible.ledger.RuleAudit;
import dev.indelible.ledger.VerifyReport;
import dev.indelible.ledger.kafka.KafkaJournalConfig;
import dev.indelible.ledger.kafka.KafkaLedger;
import dev.indelible.projections.Projection;
import dev.indelible.projections.ProjectionEngine;
import dev.indelible.projections.ProjectionState;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Proves the data is whole: the journal's checksums and sequence, and optionally every projection. */
@Command(name = "verify", mixinStandardHelpOptions = true,
    description = {"Proves the journal (and with --projections every projection) is whole.",
        "Checks every journal record: checksums, the checksum chain, dense global_seq and stream versions, the tail. With --projections, also compares each projection's digest with a fresh rebuild at the same position, lists every event that breaks its type's rule (two accounts for one address, a reference to no member) and community orphans. With --compare, also compares the event count and sequence digest with another journal. Over a journal of several partitions (--journal kafka://...?partitions=P) each partition: the projections at their checkpoint in every partition, --compare partition p with partition p of a journal of as many partitions. Exit 1 when anything is found."})
final class VerifyCommand implements Callable<Integer> {
    @Mixin
    DataOptions data;

    @Mixin
    OutputOptions output;

    @Option(names = "--projections", description = "Also verify every projection against a fresh rebuild.")
    boolean projections;

    @Option(names = "--compare", paramLabel = "JOURNAL",
        description = "Also compare with another journal (kafka://... or a data directory; of P partitions, kafka://...?partitions=P): event counts and digests, partition by partition.")
    String compare;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        OtherJournal other = compare == null ? null : OtherJournal.parse(compare);
        if (other != null) {
            other.requirePartitionsOf(data.partitioned(), "--compare", false);
        }
        PrintWriter out = spec.commandLine().getOut();
        List<String> findings = new ArrayList<>();
        VerifyReport journal;
        try (Progress progress = Progress.open("verify journal", spec.commandLine().getErr(), output.json)) {
            journal = data.verifyJournal(checked -> progress.onProgress(checked, -1));
        }
        journal.problems().forEach(p -> findings.add("journal: " + p));
        List<String> checked = new ArrayList<>();
        if (journal.ok()) {
            checked.add(String.format("journal: %,d events in %,d records", journal.eventsChecked(), journal.records()));
        }
        if (data.embedded()) {
            verifyKeyStore(journal, findings, checked);
        } else {
            verifyKeysTopic(findings, checked);
        }
        if (other != null) {
            compareWith(other, findings, checked);
        }
        if (projections && journal.ok()) {
            verifyProjections(findings, checked);
        } else if (projections) {
            findings.add("projections: not checked, the journal has problems to fix first");
        }
        if (output.json) {
            out.println(EventJson.object(g -> {
                g.writeBooleanField("ok", findings.isEmpty());
                g.writeNumberField("events", journal.eventsChecked());
                g.writeArrayFieldStart("findings");
                for (String f : findings) {
                    g.writeString(f);
                }
                g.writeEndArray();
            }));
        } else {
            // Damage first: on a terminal it is what must not scroll away.
            findings.forEach(f -> out.println("FOUND  " + f));
            checked.forEach(c -> out.println("ok     " + c));
            nextSteps(journal, findings).forEach(n -> out.println("next   " + n));
            out.println(findings.isEmpty() ? "verify: ok" : "verify: " + findings.size() + " finding(s)");
        }
        return findings.isEmpty() ? Main.OK : Main.VERIFY_FAILED;
    }

    /** What to do about each kind of finding; verify itself never changes anything. */
    private static List<String> nextSteps(VerifyReport journal, List<String> findings) {
        List<String> steps = new ArrayList<>();
        journal.problems().stream().filter(p -> p.kind() == VerifyReport.Kind.TORN_TAIL).findFirst().ifPresent(p ->
            steps.add("a torn tail is what a crash mid-write leaves: the next writer (indelible append, serve) cuts it"
                + " from global_seq " + p.globalSeq() + ", keeps the cut bytes aside and records ops.journal_repair"));
        journal.problems().stream().filter(p -> p.kind() != VerifyReport.Kind.TORN_TAIL).findFirst().ifPresent(p ->
            steps.add("damage inside the journal (first at global_seq " + p.globalSeq() + ") is never cut: restore the"
                + " last backup into a new directory (indelible restore BACKUP --data NEW) and compare the two"
                + " (indelible verify --data NEW --compare DIR); events before global_seq " + p.globalSeq()
                + " read as they are (indelible read --limit " + p.globalSeq() + ")"));
        if (findings.stream().anyMatch(f -> f.startsWith("rule broken"))) {
            steps.add("the events named stay in the journal, which is append-only; the rules refuse any new one like them"
                + " (indelible read --from SEQ --limit 1 shows one)");
        }
        return steps;
    }

    /** The personal-data key store: present when the journal holds events, whole, owner-only; who is erased. */
    private void verifyKeyStore(VerifyReport journal, List<String> findings, List<String> checked) {
        try {
            PersonalData.KeyStoreSummary keys = PersonalData.inspect(data.dir());
            if (keys == null) {
                if (journal.eventsChecked() > 0) {
                    findings.add("key store: " + data.dir().toAbsolutePath().normalize().resolve("keys/personal-data.keys")
                        + " is missing while the journal holds events: restore it from a backup (a journal written before"
                        + " personal data was encrypted: indelible export-journal --to NEW --encrypt-personal-data)");
                }
                return;
            }
            checked.add(String.format("key store: %s, %,d keys, %,d subjects erased%s", keys.file(), keys.keys(),
                keys.erased().size(), erasedList(keys.erased())));
        } catch (LedgerException damaged) {
            findings.add("key store: " + damaged.getMessage());
        }
    }

    /** A Kafka journal's keys topic: every record whole, the secret there; who is erased. */
    private void verifyKeysTopic(List<String> findings, List<String> checked) {
        KafkaJournalConfig kafka = data.partitioned() != null ? data.partitioned().journal() : data.kafka();
        try {
            KafkaLedger.KeysSummary keys = KafkaLedger.inspectKeys(kafka);
            if (keys == null) {
                checked.add("keys: no keys topic: personal data is stored in clear on this journal");
                return;
            }
            checked.add(String.format("keys: %s, %,d subjects with keys, %,d subjects erased%s", keys.topic(), keys.subjects(),
                keys.erased().size(), erasedList(keys.erased())));
        } catch (LedgerException damaged) {
            findings.add("keys: " + damaged.getMessage());
        }
    }

    private static String erasedList(Set<String> erased) {
        return erased.isEmpty() ? "" : " (" + String.join(", ", erased.stream().limit(10).toList())
            + (erased.size() > 10 ? ", ..." : "") + ")";
    }

    /** Partition p of this journal against partition p of the other: event counts and sequence digests. */
    private void compareWith(OtherJournal other, List<String> findings, List<String> checked) {
        try (LedgerPartitions ours = data.openExistingPartitions(); LedgerPartitions theirs = other.openToRead(data.dir())) {
            for (int p = 0; p < ours.count(); p++) {
                String in = ours.count() == 1 ? "" : "partition " + p + ": ";
                Ledger mine = ours.ledgers().get(p);
                Ledger copy = theirs.ledgers().get(p);
                long events = mine.head();
                String digest = LedgerCopy.digest(mine, events);
                String otherDigest = LedgerCopy.digest(copy, copy.head());
                if (copy.head() == events && digest.equals(otherDigest)) {
                    checked.add(String.format("compare: %s%,d events, digest %s, equal in %s", in, events,
                        digest.substring(0, 16), other.describe()));
                } else {
                    findings.add(String.format("compare: %s%,d events with digest %s here; %,d with digest %s in %s", in,
                        events, digest, copy.head(), otherDigest, other.describe()));
                }
            }
        }
    }

    /**
     * Each projection's digest against a fresh rebuild at its checkpoint (one position per partition),
     * the rules over every partition (a rule's streams are in one partition), and community orphans.
     */
    private void verifyProjections(List<String> findings, List<String> checked) {
        try (LedgerPartitions journal = data.openExistingPartitions();
             ProjectionEngine engine = Projections.open(journal.ledgers(), data.projections(), ProjectionNames.all())) {
            for (Projection projection : ProjectionNames.all()) {
                long[] positions = engine.read(projection.name(), s -> checkpoints(s, journal.count()));
                String at = journal.count() == 1 ? String.format("global_seq %,d", positions[0])
                    : "positions " + PartitionPositions.of(positions);
                String live = engine.digest(projection.name());
                String fresh;
                try (Progress progress = Progress.open("verify " + projection.name(), spec.commandLine().getErr(),
                    output.json)) {
                    fresh = OfflineProjections.digestFromScratch(journal.ledgers(), data.projections(), projection,
                        positions, progress);
                }
                if (live.equals(fresh)) {
                    checked.add(String.format("%s: digest %s at %s equals a fresh rebuild", projection.name(),
                        live.substring(0, 16), at));
                } else {
                    findings.add(projection.name() + ": digest " + live + " differs from a fresh rebuild's " + fresh + " at "
                        + at + (journal.count() == 1 ? " (indelible replay " + projection.name() + " rebuilds it)"
                        : " (POST /admin/projections/" + projection.name() + "/rebuild on the server rebuilds it)"));
                }
            }
            auditRules(journal, findings, checked);
            List<String> orphans = new CommunityQueries(engine).integrityReport();
            orphans.forEach(o -> findings.add("community orphan: " + o));
            if (orphans.isEmpty()) {
                checked.add(CommunityProjection.NAME + ": no orphans");
            }
        }
    }

    private static long[] checkpoints(ProjectionState state, int partitions) {
        long[] positions = new long[partitions];
        for (int p = 0; p < partitions; p++) {
            positions[p] = state.position(p);
        }
        return positions;
    }

    /** Every event against its type's rule, partition by partition: a rule's streams share one. */
    private static void auditRules(LedgerPartitions journal, List<String> findings, List<String> checked) {
        long withRules = 0;
        boolean ok = true;
        for (int p = 0; p < journal.count(); p++) {
            Ledger ledger = journal.ledgers().get(p);
            RuleAudit.Report rules = RuleAudit.run(ledger, ledger.config());
            String in = journal.count() == 1 ? "" : "partition " + p + ", ";
            rules.violations().forEach(v -> findings.add("rule broken at " + in + v));
            withRules += rules.eventsWithRules();
            ok &= rules.ok();
        }
        if (ok) {
            checked.add(String.format("rules: %,d events of types with a rule, none breaks it", withRules));
        }
    }
}
