package dev.indelible.cli;

import dev.indelible.ledger.LedgerCopy;
import dev.indelible.ledger.LedgerPartitions;
import dev.indelible.ledger.PartitionPositions;
import dev.indelible.ledger.kafka.KafkaLedger;
import dev.indelible.server.internal.EventJson;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Moves a ledger between the embedded journal and Kafka, event for event, and proves the copy. A
 * journal of several partitions goes into another of as many partitions and keys, partition p into
 * partition p, each event keeping its global_seq: a copy into one journal would renumber them.
 */
@Command(name = "export-journal", mixinStandardHelpOptions = true,
    description = {"Copies the whole journal into another, empty one, then reads the copy back and compares.",
        "Event for event: global_seq, stream versions, ids, times and producers are kept.",
        "The embedded journal (--data) onto Kafka, and back into a new DIR; its personal-data keys go with it",
        "(into the keys topic beside the Kafka journal's, and back into DIR/keys):",
        "  export-journal --to kafka://127.0.0.1:9092/indelible",
        "  export-journal --journal kafka://127.0.0.1:9092/indelible --to DIR",
        "A journal of P Kafka partitions into another of P, with the same partition.keys, partition p into partition p:",
        "  export-journal --journal 'kafka://127.0.0.1:9092/a?partitions=3'",
        "    --to 'kafka://127.0.0.1:9092/b?partitions=3'",
        "With --encrypt-personal-data, migrates a journal written in clear into a new DIR with its personal data sealed.",
        "Exit 1 when the event counts or the digests of the event sequence differ."})
final class ExportJournalCommand implements Callable<Integer> {
    @Mixin
    DataOptions data;

    @Mixin
    OutputOptions output;

    @Option(names = "--to", required = true, paramLabel = "JOURNAL",
        description = "kafka://HOST:PORT/TOPIC[?partition=N], a new or empty data directory, or kafka://HOST:PORT/TOPIC?partitions=P for a journal of P partitions.")
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
            if (data.partitioned() != null) {
                throw new IllegalArgumentException("--encrypt-personal-data: migrates an embedded journal (--data), not a"
                    + " journal of several partitions");
            }
            if (target.dir() == null) {
                throw new IllegalArgumentException("--encrypt-personal-data: --to must be a new data directory");
            }
            BackupCommand.refuseNonEmpty(target.dir());
            return PersonalDataMigration.run(data, target.dir(), output, spec);
        }
        target.requirePartitionsOf(data.partitioned(), "--to", true);
        if (data.partitioned() != null) {
            KafkaLedger.KeysSummary keys = KafkaLedger.inspectKeys(data.partitioned().journal());
            if (keys != null && (keys.subjects() > 0 || !keys.erased().isEmpty())) {
                throw new IllegalArgumentException("--to: this journal seals personal data with the keys in " + keys.topic()
                    + ", and keys are not copied from one Kafka journal into another yet: the copy's sealed values would"
                    + " not open");
            }
        }
        if (target.dir() != null) {
            BackupCommand.refuseNonEmpty(target.dir());
        }
        Copy copy = copy(target);
        PrintWriter out = spec.commandLine().getOut();
        out.println(output.json ? EventJson.object(g -> {
            g.writeStringField("from", data.describe());
            g.writeStringField("to", target.describe());
            g.writeNumberField("events", copy.events());
            g.writeNumberField("target_events", copy.targetEvents());
            g.writeStringField("digest", String.join(",", copy.digests()));
            g.writeStringField("target_digest", String.join(",", copy.targetDigests()));
            g.writeBooleanField("equal", copy.equal());
        }) : copy.describe(data.describe(), target.describe()));
        return copy.equal() ? Main.OK : Main.VERIFY_FAILED;
    }

    /** Copies every partition into the target's same partition, then reads each back. */
    private Copy copy(OtherJournal target) {
        try (LedgerPartitions source = data.openExistingPartitions()) {
            PartitionPositions head = source.head();
            long total = source.events();
            List<LedgerCopy.Copied> copied = new ArrayList<>();
            if (target.dir() != null) {
                source.auditLedger().personalData().copyKeyStore(target.dir());
            }
            try (LedgerPartitions copy = target.openToAppend(data.dir(), data.fenceCluster())) {
                if (copy.events() != 0) {
                    throw new IllegalArgumentException("--to: " + target.describe() + " already holds " + copy.events()
                        + " events; export-journal copies into an empty journal only");
                }
                if (target.kafka() != null && source.auditLedger().personalData().keyStore() != null) {
                    // Before the copy's first event: its sealed values and hashed reservations need these keys and secret.
                    KafkaLedger.importKeys(target.kafka(), source.auditLedger().personalData().keyStore().getParent());
                }
                try (Progress progress = Progress.open("export-journal", spec.commandLine().getErr(), output.json)) {
                    for (int p = 0; p < source.count(); p++) {
                        long before = copied.stream().mapToLong(LedgerCopy.Copied::events).sum();
                        copied.add(LedgerCopy.copy(source.ledgers().get(p), head.next(p), copy.ledgers().get(p),
                            n -> progress.onProgress(before + n, total)));
                    }
                }
            }
            List<String> readBack = new ArrayList<>();
            long[] targetEvents = new long[source.count()];
            try (LedgerPartitions copy = target.openToRead(data.dir());
                 Progress progress = Progress.open("export-journal: reading the copy back", spec.commandLine().getErr(),
                     output.json)) {
                long all = copy.events();
                for (int p = 0; p < copy.count(); p++) {
                    long before = Arrays.stream(targetEvents, 0, p).sum();
                    targetEvents[p] = copy.ledgers().get(p).head();
                    readBack.add(LedgerCopy.digest(copy.ledgers().get(p), targetEvents[p], n -> progress.onProgress(before + n, all)));
                }
            }
            return new Copy(copied, readBack, targetEvents);
        }
    }

    /** What was copied and read back, partition p at index p. */
    private record Copy(List<LedgerCopy.Copied> copied, List<String> targetDigests, long[] targetEventsOf) {
        long events() {
            return copied.stream().mapToLong(LedgerCopy.Copied::events).sum();
        }

        long targetEvents() {
            return Arrays.stream(targetEventsOf).sum();
        }

        List<String> digests() {
            return copied.stream().map(LedgerCopy.Copied::digest).toList();
        }

        boolean equal(int p) {
            return targetEventsOf[p] == copied.get(p).events() && targetDigests.get(p).equals(copied.get(p).digest());
        }

        boolean equal() {
            return IntStream.range(0, copied.size()).allMatch(this::equal);
        }

        String describe(String from, String to) {
            if (copied.size() == 1) {
                return String.format("copied %,d events from %s to %s%n  source digest %s%n  target digest %s (%,d events"
                    + " read back): %s", events(), from, to, copied.get(0).digest(), targetDigests.get(0), targetEventsOf[0],
                    equal(0) ? "equal" : "DIFFERENT");
            }
            StringBuilder s = new StringBuilder(String.format("copied %,d events from %s to %s, partition by partition",
                events(), from, to));
            for (int p = 0; p < copied.size(); p++) {
                s.append(String.format("%n  partition %d: %,d events, source digest %s%n  partition %d: target digest %s"
                    + " (%,d events read back): %s", p, copied.get(p).events(), copied.get(p).digest(), p,
                    targetDigests.get(p), targetEventsOf[p], equal(p) ? "equal" : "DIFFERENT"));
            }
            return s.toString();
        }
    }
}
