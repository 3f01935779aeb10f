package dev.indelible.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.indelible.ledger.AtomicFile;
import dev.indelible.ledger.Ledger;
import dev.indelible.projections.ProjectionEngine;
import dev.indelible.projections.reference.AccountsQueries;
import dev.indelible.projections.reference.SelfiesQueries;
import dev.indelible.projections.reference.VideosQueries;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Writes the legacy files from the projections: views of the journal, never a second store. */
@Command(name = "export", mixinStandardHelpOptions = true,
    description = {"Writes a legacy JSON file from a projection.",
        "The projection is caught up with the journal first:",
        "  export videos --out results.json [--b64 results.json.b64]",
        "  export selfies --out selfie_checks.json",
        "  export accounts --out users.json",
        "videos is byte-identical for equal journals.",
        "An existing file is never overwritten unless --force; files are written whole (temp file, rename)."})
final class ExportCommand implements Callable<Integer> {
    enum Kind { selfies, accounts, videos }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Mixin
    DataOptions data;

    @Parameters(paramLabel = "KIND", description = "videos, selfies or accounts.")
    Kind kind;

    @Option(names = "--out", required = true, description = "The file to write.")
    Path out;

    @Option(names = "--b64", description = "videos: also write the base64 copy here.")
    Path b64;

    @Option(names = "--force", description = "Replace existing files.")
    boolean force;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        refuseExisting(out);
        if (b64 != null) {
            refuseExisting(b64);
        }
        PrintWriter console = spec.commandLine().getOut();
        try (Ledger ledger = data.openExistingLedger();
             ProjectionEngine engine = Projections.open(ledger, data.projections(), List.of(ProjectionNames.find(kind.name())))) {
            byte[] bytes = switch (kind) {
                case videos -> new VideosQueries(engine).exportResultsJson();
                case selfies -> JSON.writeValueAsBytes(new SelfiesQueries(engine).all().stream().map(s -> record(
                    "user_id", s.userId(), "media_type", s.mediaType(), "file_id", s.fileId(),
                    "timestamp", s.submittedAt().toString())).toList());
                case accounts -> JSON.writeValueAsBytes(new AccountsQueries(engine, ledger).all().stream().map(a -> record(
                    "id", a.accountId(), "email", a.email(), "display_name", a.displayName(), "closed", a.closed())).toList());
            };
            AtomicFile.write(out, bytes);
            console.printf("exported %s to %s (%,d bytes)%n", kind, out, bytes.length);
            if (b64 != null) {
                if (kind != Kind.videos) {
                    throw new IllegalArgumentException("--b64 is for videos only");
                }
                byte[] encoded = Base64.getEncoder().encode(bytes);
                AtomicFile.write(b64, encoded);
                console.printf("exported %s to %s (%,d bytes)%n", kind, b64, encoded.length);
            }
        }
        return Main.OK;
    }

    private void refuseExisting(Path file) {
        if (Files.exists(file) && !force) {
            throw new IllegalArgumentException(file + " exists; export never overwrites a file unless --force");
        }
    }

    private static Map<String, Object> record(Object... keysAndValues) {
        Map<String, Object> fields = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            fields.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return fields;
    }
}
