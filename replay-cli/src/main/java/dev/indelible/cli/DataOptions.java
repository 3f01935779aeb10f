package dev.indelible.cli;

import dev.indelible.ledger.Durability;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.LedgerPartitions;
import dev.indelible.ledger.VerifyReport;
import dev.indelible.ledger.kafka.KafkaJournalConfig;
import dev.indelible.ledger.kafka.KafkaLedger;
import dev.indelible.ledger.kafka.PartitionedJournalConfig;
import dev.indelible.ledger.kafka.PartitionedLedger;
import dev.indelible.projections.EngineConfig;
import dev.indelible.projections.reference.DomainEvents;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongConsumer;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The options every command shares: where the data is, and which journal holds the events. Given
 * before the subcommand ({@code indelible --data D read}), they count for it too.
 */
final class DataOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Option(names = "--data", paramLabel = "DIR",
        description = "The data directory (default: $INDELIBLE_DATA, else indelible-data in the current directory).")
    Path data;

    @Option(names = "--journal", paramLabel = "URI",
        description = "The journal, when not the embedded one in DIR/journal (default: $INDELIBLE_JOURNAL): kafka://HOST:PORT[,HOST:PORT]/TOPIC[?partition=N], or over P partitions ?partitions=P[&partition.keys=...] (serve, read, status, verify, token, export-journal). DIR still holds projections and checkpoints.")
    String journal;

    @Option(names = "--free-space-reserve", paramLabel = "SIZE",
        description = "Free space the journal keeps on its disk and the projections' (default: $INDELIBLE_FREE_SPACE_RESERVE, else 704M: 64M for the journal and 128M for each reference projection). Appends are refused below it, so the projections can still apply every event taken. Bytes, or with K, M or G.")
    String freeSpaceReserve;

    @Option(names = ClusterGuard.OPTION,
        description = "Write a Kafka journal that nodes serve as a cluster (serve --cluster) anyway: this process becomes its writer and fences the cluster's, whose appends in flight fail (503, retried) until a node takes the writer back. Without it, such a write is refused.")
    Boolean fenceCluster;

    /** Whether {@value ClusterGuard#OPTION} was given, here or before the subcommand. */
    boolean fenceCluster() {
        return Boolean.TRUE.equals(value(ClusterGuard.OPTION, fenceCluster));
    }

    Path dir() {
        Path given = value("--data", data);
        if (given != null) {
            return given;
        }
        String env = System.getenv("INDELIBLE_DATA");
        return env != null && !env.isBlank() ? Path.of(env) : Path.of("indelible-data");
    }

    /**
     * This command's option when its command line gives it, else the option as given before the
     * subcommand, else this command's own default ({@code serve}'s environment or config file).
     */
    private <T> T value(String name, T own) {
        if (own != null && givenHere(name)) {
            return own;
        }
        T enclosing = fromEnclosing(name);
        return enclosing != null ? enclosing : own;
    }

    private boolean givenHere(String name) {
        CommandLine.ParseResult parsed = command == null || command.commandLine() == null ? null
            : command.commandLine().getParseResult();
        return parsed == null || parsed.hasMatchedOption(name);
    }

    /** The option as given to a command this one is a subcommand of, the nearest first; null if none was. */
    private <T> T fromEnclosing(String name) {
        for (CommandSpec c = command == null ? null : command.parent(); c != null; c = c.parent()) {
            OptionSpec option = c.findOption(name);
            if (option != null && option.getValue() != null) {
                return option.getValue();
            }
        }
        return null;
    }

    /** The reserve in bytes: the option, else the environment, else room for the reference projections. */
    long freeSpaceReserve() {
        String given = value("--free-space-reserve", freeSpaceReserve);
        String env = System.getenv("INDELIBLE_FREE_SPACE_RESERVE");
        if (given == null && env != null && !env.isBlank()) {
            return Sizes.parse("$INDELIBLE_FREE_SPACE_RESERVE", env);
        }
        return given != null ? Sizes.parse("--free-space-reserve", given)
            : EngineConfig.freeSpaceReserveFor(ProjectionNames.all().size());
    }

    /** Parses the reserve and the journal URI: a bad one is refused before anything is opened. */
    void check() {
        freeSpaceReserve();
        if (partitioned() == null) {
            kafka();
        }
    }

    Path projections() {
        return dir().resolve("projections");
    }

    /**
     * The Kafka journal of one partition given by --journal or $INDELIBLE_JOURNAL; null for the
     * embedded one. A journal over several partitions is refused: this command takes one.
     */
    KafkaJournalConfig kafka() {
        String uri = journalUri();
        if (uri != null && overPartitions(uri)) {
            String name = command == null ? "this command" : command.qualifiedName(" ");
            throw new IllegalArgumentException("journal: " + PartitionedJournalConfig.PARTITIONS + ": " + name
                + " takes one partition (?partition=N), not a journal over several; serve, read, status, verify, token and"
                + " export-journal take ?partitions=P");
        }
        return uri == null ? null : KafkaJournalConfig.parse(uri);
    }

    /** The Kafka journal over several partitions ({@code ?partitions=P}) given by --journal; null for any other. */
    PartitionedJournalConfig partitioned() {
        String uri = journalUri();
        return uri != null && overPartitions(uri) ? PartitionedJournalConfig.parse(uri) : null;
    }

    private String journalUri() {
        String given = value("--journal", journal);
        String uri = given != null ? given : System.getenv("INDELIBLE_JOURNAL");
        return uri == null || uri.isBlank() ? null : uri;
    }

    /** Whether the address names a journal over several partitions. */
    static boolean overPartitions(String uri) {
        int q = uri.indexOf('?');
        if (q < 0) {
            return false;
        }
        for (String pair : uri.substring(q + 1).split("&")) {
            if (pair.startsWith(PartitionedJournalConfig.PARTITIONS + "=") || pair.startsWith(PartitionedJournalConfig.KEYS + "=")) {
                return true;
            }
        }
        return false;
    }

    /** Whether the journal is the embedded one in DIR/journal (neither Kafka journal). */
    boolean embedded() {
        return partitioned() == null && kafka() == null;
    }

    /** Where the events are, for messages. */
    String describe() {
        PartitionedJournalConfig partitioned = partitioned();
        if (partitioned != null) {
            return partitioned.describe();
        }
        KafkaJournalConfig kafka = kafka();
        return kafka != null ? kafka.describe() : dir().toAbsolutePath().toString();
    }

    /**
     * Opens the journal to append, as {@link #openLedger}: over several partitions every
     * partition's writer (fencing the previous ones), else the one ledger as one partition.
     */
    LedgerPartitions openPartitions(Durability durability) {
        PartitionedJournalConfig partitioned = partitioned();
        if (partitioned == null) {
            return LedgerPartitions.of(openLedger(durability));
        }
        ClusterGuard.check(partitioned, fenceCluster());
        return PartitionedLedger.open(partitioned, dir(), ledgerConfig(durability));
    }

    /** Opens an existing journal to read, as {@link #openExistingLedger}: over several partitions, every one. */
    LedgerPartitions openExistingPartitions() {
        PartitionedJournalConfig partitioned = partitioned();
        return partitioned != null
            ? PartitionedLedger.openReadOnly(partitioned, dir(), DomainEvents.register(LedgerConfig.builder()).build())
            : LedgerPartitions.of(openExistingLedger());
    }

    /**
     * Opens the ledger to append, creating it if needed, with the domain types validated. On Kafka
     * this process becomes the partition's writer and fences the previous one; one a cluster serves
     * is refused unless {@value ClusterGuard#OPTION} ({@link ClusterGuard}).
     */
    Ledger openLedger(Durability durability) {
        LedgerConfig config = ledgerConfig(durability);
        KafkaJournalConfig kafka = kafka();
        if (kafka == null) {
            return Ledger.open(dir(), config);
        }
        ClusterGuard.check(kafka, fenceCluster());
        return KafkaLedger.open(kafka, dir(), config);
    }

    /** The configuration every command opens the ledger with: the domain types validated, the reserve. */
    LedgerConfig ledgerConfig(Durability durability) {
        return DomainEvents.register(LedgerConfig.builder()).durability(durability)
            .freeSpaceReserve(freeSpaceReserve()).reserveAlsoOn(projections()).build();
    }

    /**
     * Opens an existing ledger to read; a directory without one is a usage error, not a new empty
     * ledger. On Kafka it reads committed events beside the writer, without fencing it.
     */
    Ledger openExistingLedger() {
        KafkaJournalConfig kafka = kafka();
        if (kafka != null) {
            return KafkaLedger.openReadOnly(kafka, dir(), DomainEvents.register(LedgerConfig.builder()).build());
        }
        requireEmbedded();
        return openLedger(Durability.MEMORY_MAPPED);
    }

    /**
     * Opens an existing embedded ledger written before personal data was sealed (no key store): with
     * the domain's validators and rules but no personal data, so nothing is sealed, hashed or created.
     */
    Ledger openExistingLedgerInClear() {
        requireEmbedded();
        return Ledger.open(dir(), DomainEvents.register(LedgerConfig.builder()).withoutPersonalData()
            .freeSpaceReserve(freeSpaceReserve()).reserveAlsoOn(projections()).build());
    }

    /** Opens an existing ledger that the command appends to (operations events); on Kafka, as the writer. */
    Ledger openExistingLedgerToAppend() {
        if (kafka() == null) {
            requireEmbedded();
        }
        return openLedger(Durability.MEMORY_MAPPED);
    }

    /**
     * Verifies the journal, telling {@code progress} the events checked so far. Over several
     * partitions, every partition in turn, read beside the writers (their problems name them).
     */
    VerifyReport verifyJournal(LongConsumer progress) {
        if (partitioned() != null) {
            try (LedgerPartitions journal = openExistingPartitions()) {
                return journal.verifyAll(progress);
            }
        }
        KafkaJournalConfig kafka = kafka();
        if (kafka != null) {
            return KafkaLedger.verify(kafka, progress);
        }
        requireEmbedded();
        return Ledger.verify(dir(), progress);
    }

    private void requireEmbedded() {
        if (!Files.isDirectory(dir().resolve("journal")) && Files.isDirectory(dir().resolve("import-staging"))) {
            openLedger(Durability.MEMORY_MAPPED).close(); // an import killed mid-swap: an open finishes it
        }
        requireLedger(dir(), " (give --data DIR or set INDELIBLE_DATA, or --journal kafka://...)");
    }

    /** A directory without an embedded journal is a usage error, not a new empty ledger. */
    static void requireLedger(Path dir, String hint) {
        if (!Files.isDirectory(dir.resolve("journal"))) {
            throw new IllegalArgumentException("no ledger at " + dir.toAbsolutePath() + hint);
        }
    }
}
