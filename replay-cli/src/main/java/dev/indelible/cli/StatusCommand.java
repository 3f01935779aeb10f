package dev.indelible.cli;

import dev.indelible.server.internal.CountHistory;
import dev.indelible.server.internal.EphemeralStorage;
import dev.indelible.server.internal.EventJson;
import dev.indelible.server.internal.ProjectionCounts;

import dev.indelible.ledger.EventReader;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerPartitions;
import dev.indelible.ledger.PartitionPositions;
import dev.indelible.projections.Projection;
import dev.indelible.projections.ProjectionEngine;
import dev.indelible.projections.ProjectionException;
import dev.indelible.projections.ProjectionStatus;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** What is in the data directory and how healthy it is. */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = {"Shows the journal, its producers and every projection, with warnings.",
        "Journal size, events, producers and when each last appended; per projection its version, checkpoint, lag and counts. Warns about a data directory that will vanish with its container, and about a projection count that fell since the previous status."})
final class StatusCommand implements Callable<Integer> {
    @Mixin
    DataOptions data;

    @Mixin
    OutputOptions output;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        List<String> warnings = new ArrayList<>();
        boolean embedded = data.embedded();
        EphemeralStorage.warning(data.dir()).ifPresent(warnings::add);
        try (LedgerPartitions journal = data.openExistingPartitions()) {
            Map<String, Instant> producers = new TreeMap<>();
            journal.ledgers().forEach(ledger -> producers(ledger).forEach((p, at) -> producers.merge(p, at,
                (a, b) -> a.isAfter(b) ? a : b)));
            List<ProjectionLine> projections = projections(journal, warnings);
            // On Kafka the size is the cluster's to report (kafka-log-dirs.sh); here it is unknown.
            long bytes = embedded ? size(data.dir().resolve("journal")) : -1;
            PartitionPositions heads = journal.head();
            long events = journal.events();
            if (output.json) {
                out.println(json(events, heads, bytes, producers, projections, warnings));
            } else {
                out.printf("journal    %s%n           %,d events%s%s%n",
                    embedded ? data.dir().resolve("journal").toAbsolutePath() : data.describe(), events,
                    embedded ? String.format(", %,d bytes", bytes) : "", heads.partitions() == 1 ? ""
                        : String.format(" in %d partitions (each partition's head: %s)", heads.partitions(), heads));
                producers.forEach((p, at) -> out.printf("producer   %-24s last appended %s%n", p, at));
                for (ProjectionLine p : projections) {
                    out.printf("projection %-10s %s%n", p.name(), p.describe());
                }
                warnings.forEach(w -> out.println("WARNING    " + w));
            }
        }
        return Main.OK;
    }

    /** Every producer and the time of its last append: one scan of the journal. */
    private static Map<String, Instant> producers(Ledger ledger) {
        Map<String, Long> last = new TreeMap<>();
        try (EventReader reader = ledger.openReader(0)) {
            while (reader.poll(e -> last.merge(e.producerId(), e.recordedAtMicros(), Math::max), 10_000) > 0) {
                // keep scanning
            }
        }
        Map<String, Instant> at = new LinkedHashMap<>();
        last.forEach((p, micros) -> at.put(p, Instant.EPOCH.plus(micros, ChronoUnit.MICROS)));
        return at;
    }

    private List<ProjectionLine> projections(LedgerPartitions journal, List<String> warnings) {
        CountHistory history = new CountHistory(data.dir());
        List<ProjectionLine> lines = new ArrayList<>();
        for (Projection projection : ProjectionNames.all()) {
            if (!Files.exists(data.projections().resolve(projection.name()).resolve("CURRENT"))) {
                lines.add(new ProjectionLine(projection.name(), null, -1));
                continue;
            }
            try (ProjectionEngine engine = ProjectionEngine.openReadOnly(journal.ledgers(), data.projections(),
                List.of(projection))) {
                ProjectionStatus status = engine.status(projection.name());
                long count = ProjectionCounts.of(engine, projection.name()).orElse(-1);
                history.compare(projection.name(), count, "the previous status").ifPresent(warnings::add);
                lines.add(new ProjectionLine(projection.name(), status, count));
            } catch (ProjectionException e) {
                warnings.add("projection " + projection.name() + " cannot be read: " + e.getMessage());
            }
        }
        history.save();
        return lines;
    }

    private static String json(long events, PartitionPositions heads, long bytes, Map<String, Instant> producers,
                               List<ProjectionLine> projections, List<String> warnings) {
        return EventJson.object(g -> {
            g.writeNumberField("events", events);
            if (heads.partitions() > 1) {
                g.writeStringField("heads", heads.toString());
            }
            g.writeNumberField("journal_bytes", bytes);
            g.writeObjectFieldStart("producers");
            for (Map.Entry<String, Instant> p : producers.entrySet()) {
                g.writeStringField(p.getKey(), p.getValue().toString());
            }
            g.writeEndObject();
            g.writeArrayFieldStart("projections");
            for (ProjectionLine p : projections) {
                g.writeStartObject();
                g.writeStringField("name", p.name());
                if (p.status() != null) {
                    g.writeStringField("version", p.status().liveVersion());
                    g.writeNumberField("checkpoint", p.status().position());
                    g.writeNumberField("lag", p.status().lag());
                    g.writeNumberField("events_applied", p.status().eventsApplied());
                    if (p.count() >= 0) {
                        g.writeNumberField("count", p.count());
                    }
                } else {
                    g.writeStringField("version", null);
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("warnings");
            for (String w : warnings) {
                g.writeString(w);
            }
            g.writeEndArray();
        });
    }

    private static long size(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private record ProjectionLine(String name, ProjectionStatus status, long count) {
        String describe() {
            if (status == null) {
                return "not built yet (indelible replay " + name + ")";
            }
            return String.format("%s  checkpoint %,d  lag %,d  applied %,d%s", status.liveVersion(), status.position(),
                status.lag(), status.eventsApplied(), count >= 0 ? String.format("  count %,d", count) : "");
        }
    }
}
