package dev.indelible.cli;

import dev.indelible.ledger.AtomicFile;
import dev.indelible.server.internal.EventJson;
import dev.indelible.server.Tokens;

import dev.indelible.ledger.Durability;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.PersonalData;
import dev.indelible.ledger.LedgerCopy;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.VerifyReport;
import dev.indelible.ledger.Operations;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Restores a backup into an empty data directory; never deletes anything. */
@Command(name = "restore", mixinStandardHelpOptions = true,
    description = {"Restores a backup into an empty --data DIR, proving it first; never deletes anything.",
        "With --move-aside, an existing directory is renamed (never deleted) first. The backup (journal and tokens) is verified against its backup.json before anything is written; a damaged backup is refused (exit 1)."})
final class RestoreCommand implements Callable<Integer> {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    @Mixin
    DataOptions data;

    @Mixin
    OutputOptions output;

    @Parameters(paramLabel = "SRC", description = "A directory written by `indelible backup`.")
    Path source;

    @Option(names = "--move-aside", description = "Rename a non-empty target to <DIR>.moved-aside-<time> first.")
    boolean moveAside;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        Instant started = Instant.now();
        PrintWriter out = spec.commandLine().getOut();
        BackupManifest manifest = BackupManifest.read(source);
        VerifyReport check = Ledger.verify(source);
        if (!check.ok() || check.eventsChecked() != manifest.events()) {
            throw new BackupManifest.CorruptBackupException("the backup in " + source + " is damaged: "
                + check.eventsChecked() + " of " + manifest.events() + " events readable; " + check.problems());
        }
        byte[] tokens = keptTokens(manifest);
        int reerased = 0;
        Path target = data.dir();
        try (Ledger backup = Ledger.open(source, LedgerConfig.defaults())) {
            String digest;
            try (Progress progress = Progress.open("restore: checking the backup", spec.commandLine().getErr(), output.json)) {
                digest = LedgerCopy.digest(backup, manifest.events(), n -> progress.onProgress(n, manifest.events()));
            }
            if (!digest.equals(manifest.digest())) {
                throw new BackupManifest.CorruptBackupException("the backup in " + source + " does not match its "
                    + BackupManifest.FILE + ": digest " + digest + ", expected " + manifest.digest());
            }
            Set<String> erasedLive = Set.of();
            if (!isEmpty(target)) {
                erasedLive = PersonalData.erasedIn(target);
                if (!moveAside) {
                    throw new IllegalArgumentException(target + " is not empty; restore never deletes: choose an empty"
                        + " directory, or give --move-aside to rename it first");
                }
                Path aside = target.resolveSibling(target.getFileName() + ".moved-aside-" + STAMP.format(started));
                AtomicFile.move(target, aside);
                out.println("moved " + target + " aside to " + aside);
            }
            backup.personalData().copyKeyStore(target);
            try (Ledger restored = Ledger.open(target, LedgerConfig.builder().durability(Durability.SYNC).build());
                 Progress progress = Progress.open("restore", spec.commandLine().getErr(), output.json)) {
                LedgerCopy.Copied copied = LedgerCopy.copy(backup, manifest.events(), restored,
                    n -> progress.onProgress(n, manifest.events()));
                Operations.record(restored, "restore", "restore", "restore from " + source.toAbsolutePath(), started, "ok",
                    new TreeMap<>(Map.of("source", source.toAbsolutePath().toString(),
                        "events", Long.toString(copied.events()), "digest", copied.digest())));
                reerased = reerase(restored, erasedLive, out);
            }
        }
        if (tokens != null) {
            Tokens.install(target, tokens);
        }
        VerifyReport after = Ledger.verify(target);
        if (!after.ok()) {
            throw new BackupManifest.CorruptBackupException("the restored journal in " + target + " did not verify: "
                + after.problems());
        }
        int erasedAgain = reerased;
        out.println(output.json ? EventJson.object(g -> {
            g.writeStringField("restored", target.toAbsolutePath().toString());
            g.writeNumberField("events", manifest.events());
            g.writeStringField("digest", manifest.digest());
            g.writeBooleanField("tokens", tokens != null);
            g.writeNumberField("erased_again", erasedAgain);
        }) : String.format("restored %,d events from %s into %s; digest %s verified%n  %s%n"
            + "  projections rebuild from the journal on first use (indelible replay --all)",
            manifest.events(), source, target, manifest.digest(), tokens != null ? "tokens restored: clients keep theirs"
                : manifest.tokensSha256() == null ? "no tokens: this backup was made before backups kept them;"
                + " make new ones with indelible token create" : "no tokens: the backed-up directory had none"));
        return Main.OK;
    }

    /**
     * The live key store's erasures win over an older backup: each subject erased in the store this
     * restore replaces, but not in the restored one, is erased again (its {@code ops.erase} appended,
     * its key destroyed), so a backup taken before an erasure never brings the subject back.
     */
    private static int reerase(Ledger restored, Set<String> erasedLive, PrintWriter out) {
        int count = 0;
        for (String subject : new TreeSet<>(erasedLive)) {
            if (restored.personalData().erase(subject, "restore: erased in the key store this restore replaced")) {
                count++;
            }
        }
        if (count > 0) {
            out.println("erased again " + count + " subject(s) the backup predates the erasure of");
        }
        return count;
    }

    /** The backup's token file, checked against its manifest before anything is written; null when it kept none. */
    private byte[] keptTokens(BackupManifest manifest) throws IOException {
        String expected = manifest.tokensSha256();
        if (expected == null || expected.equals(BackupManifest.NO_TOKENS)) {
            return null;
        }
        byte[] tokens = Tokens.stored(source).orElseThrow(() -> new BackupManifest.CorruptBackupException("the backup in "
            + source + " lacks the token file its " + BackupManifest.FILE + " names"));
        String actual = BackupManifest.sha256(tokens);
        if (!actual.equals(expected)) {
            throw new BackupManifest.CorruptBackupException("the token file of the backup in " + source + " does not match"
                + " its " + BackupManifest.FILE + ": SHA-256 " + actual + ", expected " + expected);
        }
        return tokens;
    }

    private static boolean isEmpty(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return true;
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        }
    }
}
