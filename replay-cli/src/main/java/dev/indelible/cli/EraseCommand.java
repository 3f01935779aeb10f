package dev.indelible.cli;

import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.PersonalData;
import dev.indelible.server.internal.EventJson;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Erases a data subject by destroying its key (crypto-shredding). */
@Command(name = "erase", mixinStandardHelpOptions = true,
    description = {"Erases a data subject: appends an ops.erase event naming it (and none of its data), then destroys its key.",
        "From then on its personal fields read [erased] everywhere (read, query, export, the console, backups);",
        "the journal keeps the sealed bytes, so verify and projection digests are unchanged, and its reserved address stays taken.",
        "After a crash between the two steps the next open destroys the key. Already erased: nothing is appended.",
        "On Kafka (--journal kafka://...) it becomes the partition's writer: the key's tombstone and the ops.erase event are one transaction."})
final class EraseCommand implements Callable<Integer> {
    @Mixin
    DataOptions data;

    @Mixin
    OutputOptions output;

    @Option(names = "--subject", required = true, paramLabel = "SUBJECT",
        description = "The data subject, e.g. account-<account_id>.")
    String subject;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (Ledger ledger = data.openExistingLedgerToAppend()) {
            PersonalData personal = ledger.personalData();
            boolean hadKey = personal.hasKey(subject);
            if (!hadKey && !personal.isErased(subject)) {
                throw new IllegalArgumentException("--subject: " + subject + " has no key: nothing of it was sealed in "
                    + data.describe() + " (check the id; subjects are named like account-<account_id>)");
            }
            boolean erased = personal.erase(subject, "indelible erase --subject " + subject);
            out.println(output.json ? EventJson.object(g -> {
                g.writeStringField("subject", subject);
                g.writeBooleanField("erased", true);
                g.writeBooleanField("already_erased", !erased);
            }) : erased ? "erased " + subject + ": its key is destroyed; its personal fields now read " + PersonalData.ERASED
                : subject + " was erased already; nothing appended");
        }
        return Main.OK;
    }
}
