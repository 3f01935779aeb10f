package dev.indelible.cli;

import dev.indelible.ledger.Durability;
import dev.indelible.ledger.LedgerPartitions;
import dev.indelible.server.Token;
import dev.indelible.server.Tokens;
import dev.indelible.server.Verb;
import dev.indelible.server.internal.TokenAudit;
import java.io.PrintWriter;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Creates, lists and revokes the server's tokens; each change is an {@code ops.token_*} event. */
@Command(name = "token", mixinStandardHelpOptions = true,
    description = "Manages the tokens `indelible serve` accepts (only salted hashes are stored).",
    subcommands = {TokenCommand.Create.class, TokenCommand.ListTokens.class, TokenCommand.Revoke.class})
final class TokenCommand {
    @Mixin
    DataOptions data; // `indelible token --data D create ...`

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Creates a token and prints it once.")
    static final class Create implements Callable<Integer> {
        @Mixin
        DataOptions data;

        @Option(names = "--name", required = true, description = "Who uses it, e.g. selfie-bot.")
        String name;

        @Option(names = "--streams", split = ",",
            description = "Streams it may use: names, prefixes ending in * ('selfies-*'), or '*' (an admin token's, and its default).")
        List<String> streams;

        @Option(names = "--verbs", required = true, split = ",", description = "append, read, query, status, admin (the web console; it reads every stream).")
        List<String> verbs;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            Set<Verb> parsed = EnumSet.noneOf(Verb.class);
            verbs.forEach(v -> parsed.add(Verb.parse(v)));
            if (streams == null) {
                if (!parsed.contains(Verb.ADMIN)) {
                    throw new IllegalArgumentException("streams: give --streams (only an admin token, which reads every stream, may leave it out)");
                }
                streams = List.of("*");
            }
            // The audit trail is partition 0's; over several partitions this opens every writer (before serve starts).
            try (LedgerPartitions journal = data.openPartitions(Durability.MEMORY_MAPPED)) {
                Tokens.Created created = TokenAudit.create(journal.auditLedger(), Tokens.open(data.dir()), name, streams,
                    parsed, Map.of());
                PrintWriter out = spec.commandLine().getOut();
                out.println(created.secret());
                spec.commandLine().getErr().println("token " + name + " created; it is shown only now (the server keeps a hash)");
            }
            return Main.OK;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists tokens (never their secrets).")
    static final class ListTokens implements Callable<Integer> {
        @Mixin
        DataOptions data;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            List<Token> tokens = Tokens.open(data.dir()).list();
            for (Token t : tokens) {
                out.printf("%-20s %s  streams=%s  verbs=%s  created %s%s%n", t.name(), t.id(), String.join(",", t.streams()),
                    String.join(",", t.verbs().stream().map(Verb::text).sorted().toList()), t.createdAt(),
                    t.revoked() ? "  REVOKED " + t.revokedAt() : "");
            }
            if (tokens.isEmpty()) {
                out.println("(no tokens: indelible token create --name NAME --streams 'PREFIX*' --verbs append,read)");
            }
            return Main.OK;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revokes a token; a running server refuses it at once.")
    static final class Revoke implements Callable<Integer> {
        @Mixin
        DataOptions data;

        @Parameters(paramLabel = "NAME")
        String name;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            try (LedgerPartitions journal = data.openPartitions(Durability.MEMORY_MAPPED)) {
                TokenAudit.revoke(journal.auditLedger(), Tokens.open(data.dir()), name, Map.of());
                spec.commandLine().getOut().println("revoked " + name);
            }
            return Main.OK;
        }
    }
}
