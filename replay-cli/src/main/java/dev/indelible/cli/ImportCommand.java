package dev.indelible.cli;

import dev.indelible.server.EventInput;

import dev.indelible.server.EventJson;

import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.Durability;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.Operations;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Migrates the incident apps' JSON files into events. */
@Command(name = "import", mixinStandardHelpOptions = true,
    description = {"Migrates a legacy JSON file of the incident apps into events.",
        "Kinds: selfies (selfie_checks.json), accounts (users.json),",
        "videos (results.json or results.json.b64). Every record is checked first: one bad record refuses",
        "the whole file, naming it and the field, and nothing is appended. Running it twice imports nothing",
        "the second time (event ids derive from content)."})
final class ImportCommand implements Callable<Integer> {
    enum Kind { selfies, accounts, videos }

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
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("no file " + file);
        }
        LegacyFiles.Parsed parsed = switch (kind) {
            case selfies -> LegacyFiles.selfies(bytes);
            case accounts -> LegacyFiles.accounts(bytes);
            case videos -> LegacyFiles.videos(bytes);
        };
        int appended = 0;
        int already = 0;
        List<String> skipped = new ArrayList<>(parsed.skipped());
        try (Ledger ledger = data.openLedger(Durability.SYNC)) {
            for (EventInput input : parsed.events()) {
                AppendResult result = ledger.append(input.stream(), input.expectedVersion(), input.event());
                if (result instanceof AppendResult.Appended a) {
                    if (a.duplicate()) {
                        already++;
                    } else {
                        appended++;
                    }
                } else if (result instanceof AppendResult.WrongExpectedVersion) {
                    skipped.add(input.stream() + ": already in the ledger from another registration");
                } else if (result instanceof AppendResult.RuleViolated violated) {
                    skipped.add(input.stream() + ": " + violated.message());
                } else {
                    skipped.add(input.stream() + ": " + ((AppendResult.EventIdConflict) result).reason());
                }
            }
            Operations.record(ledger, "import", "import-" + kind, "import " + kind + " " + file.toAbsolutePath(), started,
                "ok", new java.util.TreeMap<>(Map.of("file", file.toAbsolutePath().toString(), "records", Integer.toString(parsed.events().size()
                    + parsed.skipped().size()), "appended", Integer.toString(appended),
                    "already_imported", Integer.toString(already), "skipped", Integer.toString(skipped.size()))));
        }
        print(parsed.events().size() + parsed.skipped().size(), appended, already, skipped);
        return Main.OK;
    }

    private void print(int records, int appended, int already, List<String> skipped) {
        PrintWriter out = spec.commandLine().getOut();
        if (output.json) {
            int a = appended;
            int b = already;
            out.println(EventJson.object(g -> {
                g.writeStringField("kind", kind.name());
                g.writeNumberField("records", records);
                g.writeNumberField("appended", a);
                g.writeNumberField("already_imported", b);
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
