package dev.indelible.cli;

import dev.indelible.server.internal.EventInput;

import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.Durability;
import dev.indelible.ledger.Ledger;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Appends one event from options, or many from NDJSON (a file, or standard input as lines arrive). */
@Command(name = "append", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Appends events: one from options, or many from NDJSON.", "One from options:",
        "  indelible append --stream selfies-user-7 --type selfie.submitted \\",
        "      --json '{\"user_id\": 7, ...}'",
        "or many, one JSON object per line:",
        "  {\"stream\", \"type\", \"data\", \"event_id\"?, \"expect\"?}",
        "  or a transaction, all or nothing, as POST /transactions takes it:",
        "  {\"parts\": [{\"stream\", \"expected_version\", \"events\"}], \"conditions\": [...]}",
        "  producer | indelible append --ndjson - --json",
        "Each line is acknowledged on stdout once it is durable under the ledger's policy."})
final class AppendCommand implements Callable<Integer> {
    @Mixin
    DataOptions data;

    @Option(names = "--stream", description = "The stream, e.g. selfies-user-7.")
    String stream;

    @Option(names = "--type", description = "The event type, e.g. selfie.submitted (domain types are validated).")
    String type;

    @Option(names = "--json", arity = "0..1", paramLabel = "PAYLOAD", fallbackValue = "",
        description = "With a value: the event's data as a JSON object. Without: print acknowledgements as JSON.")
    String json;

    @Option(names = "--ndjson", paramLabel = "FILE|-", description = "Append one event (or transaction) per line of FILE, or of stdin with -.")
    String ndjson;

    @Option(names = "--expect", description = "any (default), new, exists, or the stream's current version.")
    String expect;

    @Option(names = "--event-id", description = "The idempotency key: a UUID or 32 hex digits (default: random).")
    String eventId;

    @Option(names = "--durability", description = "MEMORY_MAPPED (default: survives kill -9) or SYNC (fsync: survives power loss).")
    Durability durability = Durability.MEMORY_MAPPED;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        boolean jsonOutput = json != null && json.isEmpty();
        if (ndjson != null) {
            if (stream != null || type != null || (json != null && !json.isEmpty())) {
                throw new IllegalArgumentException("--ndjson takes stream, type and data from each line; drop --stream, --type and the --json payload");
            }
            try (Ledger ledger = data.openLedger(durability);
                 InputStream in = ndjson.equals("-") ? System.in : Files.newInputStream(Path.of(ndjson))) {
                return new NdjsonAppender(ledger, out, spec.commandLine().getErr(), jsonOutput).run(in);
            }
        }
        EventInput input = EventInput.of(stream, type, jsonOutput ? null : json, expect, eventId);
        try (Ledger ledger = data.openLedger(durability)) {
            AppendResult result = ledger.append(input.stream(), input.expectedVersion(), input.event());
            out.println(Acknowledgement.of(input, result, jsonOutput));
            return Main.OK;
        }
    }
}
