package dev.indelible.cli;

import dev.indelible.server.ReferenceQueries;
import java.util.HashMap;
import java.util.Map;

import dev.indelible.ledger.Ledger;
import dev.indelible.projections.ProjectionEngine;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Answers the reference queries; one row per line, JSON with --json. */
@Command(name = "query", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Answers the reference queries of a projection.",
        "Reads a projection (caught up to the journal first, or as a running server has it):",
        "  query selfies --user U [--from T] [--to T]",
        "  query accounts --email E | --id I",
        "  query community --member M",
        "  query videos [--id V]",
        "  query messages --project P [--channel C] | --user U [--limit N]"})
final class QueryCommand implements Callable<Integer> {
    @Mixin
    DataOptions data;

    @Mixin
    OutputOptions output;

    @Parameters(paramLabel = "PROJECTION", description = "selfies, accounts, community, videos or messages.")
    String projection;

    @Option(names = "--user", description = "selfies: the user id; messages: the user.")
    String user;

    @Option(names = "--from", description = "selfies: from this time (ISO-8601, inclusive).")
    Instant from;

    @Option(names = "--to", description = "selfies: before this time (ISO-8601, exclusive).")
    Instant to;

    @Option(names = "--email", description = "accounts: by address.")
    String email;

    @Option(names = "--id", description = "accounts: by account id; videos: one video.")
    String id;

    @Option(names = "--member", description = "community: a member, their invite chain, invitees and prayers.")
    String member;

    @Option(names = "--project", description = "messages: by project.")
    String project;

    @Option(names = "--channel", description = "messages: by channel (with --project).")
    String channel;

    @Option(names = "--limit", description = "messages: at most this many rows (default 100).")
    int limit = 100;

    @Spec
    CommandSpec spec;

    private Map<String, String> params() {
        Map<String, String> params = new HashMap<>();
        put(params, "user", user);
        put(params, "from", from == null ? null : from.toString());
        put(params, "to", to == null ? null : to.toString());
        put(params, "email", email);
        put(params, "id", id);
        put(params, "member", member);
        put(params, "project", project);
        put(params, "channel", channel);
        put(params, "limit", Integer.toString(limit));
        return params;
    }

    private static void put(Map<String, String> params, String name, String value) {
        if (value != null) {
            params.put(name, value);
        }
    }

    @Override
    public Integer call() {
        ProjectionNames.find(projection);
        PrintWriter out = spec.commandLine().getOut();
        try (Ledger ledger = data.openExistingLedger();
             ProjectionEngine engine = Projections.open(ledger, data.projections(), List.of(ProjectionNames.find(projection)))) {
            List<ReferenceQueries.Row> rows = new ReferenceQueries(engine, ledger.personalData(), projection, params()).rows();
            for (ReferenceQueries.Row row : rows) {
                out.println(output.json ? row.json() : row.text());
            }
            if (!output.json && rows.isEmpty()) {
                out.println("(nothing found)");
            }
        }
        return Main.OK;
    }
}
