package dev.indelible.cli;

import dev.indelible.ledger.EventId;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.RecordedEvent;
import dev.indelible.ledger.VerifyReport;
import dev.indelible.projections.OfflineProjections;
import dev.indelible.projections.Projection;
import dev.indelible.projections.ProjectionEngine;
import dev.indelible.projections.reference.CommunityQueries;
import dev.indelible.projections.reference.DomainEvents;
import dev.indelible.projections.reference.ReferenceProjections;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The main job: plays the five incidents at once against a fresh ledger, then proves the outcome by
 * reading everything back, verifying the journal and comparing every projection with a fresh rebuild.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Replays the five incidents against a fresh ledger and proves nothing was lost.")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--data", description = "Where to create the demo ledger (default: ./indelible-data/demo-<time>).")
    Path data;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        long started = System.nanoTime();
        Path dir = data != null ? data : Path.of("indelible-data",
            "demo-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        if (Files.exists(dir) && Files.list(dir).findAny().isPresent()) {
            throw new IllegalArgumentException(dir + " is not empty; the demo needs a fresh directory");
        }
        PrintWriter out = spec.commandLine().getOut();
        DemoLog log = new DemoLog(out);
        out.println("Indelible demo in " + dir.toAbsolutePath());
        try (Ledger ledger = Ledger.open(dir, DomainEvents.register(LedgerConfig.builder()).producerId("demo").build())) {
            DemoAppendScenes appends = new DemoAppendScenes(ledger, dir, log);
            appends.selfiesFromThreadsAndProcesses();
            appends.refuseBadInput();
            appends.duplicateEmails();
            appends.orphans();
            appends.retryWithTheSameId();
            appends.killedProducer();
            DemoProjectionScenes projections = new DemoProjectionScenes(ledger, dir, log);
            projections.start();
            try {
                projections.videoExports();
                projections.messagesRebuildUnderReaders();
                projections.damagedProjection();
                projections.awaitCaughtUp();
                return report(ledger, projections.engine(), dir, log, started);
            } finally {
                projections.engine().close();
            }
        }
    }

    private int report(Ledger ledger, ProjectionEngine engine, Path dir, DemoLog log, long started) {
        Set<EventId> present = new HashSet<>();
        long events = 0;
        long duplicates = 0;
        long gaps = 0;
        for (long from = 0; ; ) {
            List<RecordedEvent> page = ledger.read(from, 10_000);
            if (page.isEmpty()) {
                break;
            }
            for (RecordedEvent e : page) {
                gaps += e.globalSeq() == events ? 0 : 1;
                events++;
                duplicates += present.add(e.eventId()) ? 0 : 1;
            }
            from += page.size();
        }
        long lost = log.acknowledged().stream().filter(id -> !present.contains(id)).count();
        VerifyReport verify = ledger.verify();
        PrintWriter out = log.out;
        out.println("\nReport");
        out.printf("   events in the journal       %,d (global_seq dense: %s)%n", events, gaps == 0 ? "yes" : gaps + " gaps");
        out.printf("   acknowledged, then lost     %d (of %,d acknowledged)%n", lost, log.acknowledged().size());
        out.printf("   duplicates                  %d%n", duplicates);
        out.printf("   rejections                  %d%n", log.rejections().size());
        log.rejections().forEach(r -> out.println("     - " + r));
        out.printf("   verify                      %s%n", verify.ok() ? "ok: " + verify.eventsChecked()
            + " events, every checksum and link intact" : verify.problems());
        int unequal = 0;
        for (Projection p : ReferenceProjections.all()) {
            long position = engine.read(p.name(), s -> s.position());
            String live = engine.digest(p.name());
            boolean equal = live.equals(OfflineProjections.digestFromScratch(ledger, dir.resolve("projections"), p, position));
            unequal += equal ? 0 : 1;
            out.printf("   %-27s %s%n", "digest " + p.name(), live.substring(0, 16) + (equal ? " = a fresh rebuild" : " DIFFERS from a fresh rebuild"));
        }
        List<String> orphans = new CommunityQueries(engine).integrityReport();
        out.printf("   community orphans           %d%n", orphans.size());
        out.printf("   elapsed                     %.1f s%n", (System.nanoTime() - started) / 1e9);
        log.failures().forEach(f -> out.println("   FAILED: " + f));
        out.println("\nWhere to look next:");
        out.println("   indelible status --data " + dir + "               the journal, producers and projections");
        out.println("   indelible read --data " + dir + " --type 'ops.*'  the audit trail of rebuilds and the quarantine");
        out.println("   indelible verify --data " + dir + " --projections");
        out.println("   ledger/README.md and projections/README.md: each guarantee and the test that proves it");
        boolean ok = verify.ok() && lost == 0 && duplicates == 0 && gaps == 0 && unequal == 0 && orphans.isEmpty()
            && log.failures().isEmpty();
        return ok ? Main.OK : Main.VERIFY_FAILED;
    }
}
