package dev.indelible.cli;

import dev.indelible.server.internal.EventJson;
import dev.indelible.server.Tokens;

import dev.indelible.ledger.Durability;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerCopy;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.VerifyReport;
import dev.indelible.ledger.Operations;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** A consistent, verifiable copy of the journal, taken while producers keep appending. */
@Command(name = "backup", mixinStandardHelpOptions = true,
    description = {"Copies the journal and the tokens into DEST while producers keep appending.",
        "The journal is copied up to its head at the start.",
        "The copy is a ledger of its own, written event for event, fsynced and verified, with the personal-data key store (keys/: guard the backup as the data directory), the tokens (salted hashes) and backup.json holding its event count, the digest of the event sequence and the tokens' SHA-256. Projections are rebuilt from the journal. DEST must be new or empty."})
final class BackupCommand implements Callable<Integer> {
    @Mixin
    DataOptions data;

    @Mixin
    OutputOptions output;

    @Parameters(paramLabel = "DEST", description = "A new or empty directory for the backup.")
    Path dest;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        Instant started = Instant.now();
        refuseNonEmpty(dest);
        try (Ledger source = data.openExistingLedger()) {
            long head = source.head();
            // Taken after the head: every event up to it wrote its key before it was appended.
            source.personalData().copyKeyStore(dest);
            LedgerCopy.Copied copied;
            try (Ledger target = Ledger.open(dest, LedgerConfig.builder().durability(Durability.SYNC).build());
                 Progress progress = Progress.open("backup", spec.commandLine().getErr(), output.json)) {
                copied = LedgerCopy.copy(source, head, target, n -> progress.onProgress(n, head));
            }
            VerifyReport check = Ledger.verify(dest);
            if (!check.ok() || check.eventsChecked() != head) {
                throw new BackupManifest.CorruptBackupException("the backup in " + dest + " did not verify: "
                    + check.eventsChecked() + " events, " + check.problems());
            }
            // The tokens as they are now (hashes only): a restored server lets its clients in with the tokens they hold.
            Optional<byte[]> tokens = Tokens.stored(data.dir());
            if (tokens.isPresent()) {
                Tokens.install(dest, tokens.get());
            }
            String tokensSha256 = tokens.map(BackupManifest::sha256).orElse(BackupManifest.NO_TOKENS);
            new BackupManifest(head, copied.digest(), data.dir().toAbsolutePath().toString(), started, tokensSha256).write(dest);
            // A Kafka journal is read here beside its writer, without fencing it: backup.json is the record.
            if (data.kafka() == null) {
                Operations.record(source, "backup", "backup", "backup to " + dest.toAbsolutePath(), started, "ok",
                new TreeMap<>(Map.of("dest", dest.toAbsolutePath().toString(), "events", Long.toString(head),
                    "up_to_global_seq", Long.toString(head - 1), "digest", copied.digest())));
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println(output.json ? EventJson.object(g -> {
                g.writeStringField("backup", dest.toAbsolutePath().toString());
                g.writeNumberField("events", head);
                g.writeStringField("digest", copied.digest());
                g.writeStringField("tokens_sha256", tokensSha256);
            }) : String.format("backed up %,d events (global_seq 0 to %,d) and %s to %s%n  digest %s; verified",
                head, head - 1, tokens.isPresent() ? "the tokens" : "no tokens (none made)", dest, copied.digest()));
        }
        return Main.OK;
    }

    static void refuseNonEmpty(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> entries = Files.list(dir)) {
                if (entries.findAny().isPresent()) {
                    throw new IllegalArgumentException(dir + " is not empty; nothing is ever overwritten:"
                        + " choose a new directory");
                }
            }
        }
    }
}
