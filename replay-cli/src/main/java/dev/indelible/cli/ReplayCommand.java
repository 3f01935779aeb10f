package dev.indelible.cli;

import dev.indelible.projections.OfflineProjections;
import dev.indelible.server.internal.ProjectionResults;

import dev.indelible.ledger.Ledger;
import dev.indelible.projections.Projection;
import dev.indelible.projections.RebuildResult;
import dev.indelible.projections.RollbackResult;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Rebuilds projections into new versions and swaps them in, or rolls one back. */
@Command(name = "replay", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Rebuilds projections into a new version and swaps it in, or rolls back.",
        "Rebuilds projections from the journal into a new version, validates it, swaps it in atomically and keeps the previous one. Readers use the old version until the swap.",
        "A second replay of a projection while one runs fails at once (exit 3) and says who holds it."})
final class ReplayCommand implements Callable<Integer> {
    @Mixin
    DataOptions data;

    @Mixin
    OutputOptions output;

    @Parameters(paramLabel = "NAME", arity = "0..*", description = "Projections to rebuild: ${COMPLETION-CANDIDATES}.",
        completionCandidates = ProjectionNames.class)
    List<String> names = new ArrayList<>();

    @Option(names = "--all", description = "Rebuild every projection.")
    boolean all;

    @Option(names = "--rollback", paramLabel = "NAME", description = "Make the previous version of NAME live again.")
    String rollback;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (rollback != null) {
            ProjectionNames.find(rollback);
            try (Ledger ledger = data.openExistingLedgerToAppend()) {
                RollbackResult r = OfflineProjections.rollback(ledger, data.projections(), rollback);
                out.println(output.json ? ProjectionResults.rollback(r) : "rolled back " + rollback + ": " + r.toVersion() + " is live again" + discardedText(r.discardedUnfinished()));
                return Main.OK;
            }
        }
        List<Projection> projections = all ? ProjectionNames.all() : names.stream().map(ProjectionNames::find).toList();
        if (projections.isEmpty()) {
            throw new IllegalArgumentException("name a projection (" + ProjectionNames.list() + ") or give --all");
        }
        try (Ledger ledger = data.openExistingLedgerToAppend()) {
            List<RebuildResult> results;
            String label = String.join(",", projections.stream().map(Projection::name).toList());
            try (Progress progress = Progress.open("replay " + label, spec.commandLine().getErr(), output.json)) {
                results = OfflineProjections.rebuild(ledger, data.projections(), projections, progress);
            }
            for (RebuildResult result : results) {
                out.println(output.json ? ProjectionResults.rebuild(result) : text(result));
            }
            out.flush();
        }
        return Main.OK;
    }

    private static String text(RebuildResult r) {
        return String.format("replayed %s: %,d events read, %,d applied in %.1f s (%,.0f events/s)%n"
                + "  old %s%n  new %s  %s%s", r.projection(), r.events(), r.applied(), r.took().toMillis() / 1000.0,
            r.eventsPerSecond(), r.previousVersion() == null ? "(none)" : r.previousVersion() + "  " + r.previousDigest(),
            r.newVersion(), r.newDigest(),
            r.previousDigest() == null ? "" : r.newDigest().equals(r.previousDigest()) ? "  (digests equal)"
                : "%n  the digests differ: the old version did not match the journal (kept for inspection: replay --rollback)".formatted())
            + discardedText(r.discardedUnfinished());
    }

    /** Builds that were killed or failed leave versions that never validated: say they went, and why. */
    private static String discardedText(List<String> discarded) {
        return discarded.stream().map(v -> "%n  deleted %s: a build that did not finish (killed or failed before it validated)".formatted(v))
            .collect(Collectors.joining());
    }
}
