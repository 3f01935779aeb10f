package dev.indelible.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeMap;

/**
 * Merges a run's JMH JSON files into {@code results.json} and writes {@code summary.md}: every
 * target of the benchmark issue as a ratio between scores of this one run, and {@code throughput.png}.
 *
 * <p>Usage: {@code Summary <out dir> <part.json>...}
 */
public final class Summary {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<JsonNode> results = new ArrayList<>();
    Clients clients = new Clients();

    private Summary() {
    }

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args[0]);
        Summary summary = new Summary();
        summary.clients = Clients.read(out.resolve("clients.jsonl"));
        ArrayNode merged = JSON.createArrayNode();
        for (int i = 1; i < args.length; i++) {
            for (JsonNode r : JSON.readTree(Path.of(args[i]).toFile())) {
                merged.add(r);
                summary.results.add(r);
            }
        }
        JSON.writerWithDefaultPrettyPrinter().writeValue(out.resolve("results.json").toFile(), merged);
        Files.writeString(out.resolve("summary.md"), summary.markdown(out));
        ThroughputChart.write(summary, out.resolve("throughput.png"));
    }

    /** The primary score of {@code method} at {@code threads} with the given params, if it ran. */
    OptionalDouble score(String method, int threads, String... params) {
        return find(method, threads, false, params).map(r -> OptionalDouble.of(r.path("primaryMetric").path("score").asDouble()))
            .orElse(OptionalDouble.empty());
    }

    OptionalDouble percentile(String method, int threads, String percentile, String... params) {
        return find(method, threads, false, params).map(r -> {
            JsonNode p = r.path("primaryMetric").path("scorePercentiles").path(percentile);
            return p.isMissingNode() ? OptionalDouble.empty() : OptionalDouble.of(p.asDouble());
        }).orElse(OptionalDouble.empty());
    }

    /** A percentile of one method of a {@code @Group} benchmark (its secondary metric). */
    OptionalDouble groupPercentile(String group, int threads, String method, String percentile) {
        return find(group, threads, false).map(r -> {
            JsonNode p = r.path("secondaryMetrics").path(method).path("scorePercentiles").path(percentile);
            return p.isMissingNode() ? OptionalDouble.empty() : OptionalDouble.of(p.asDouble());
        }).orElse(OptionalDouble.empty());
    }

    OptionalDouble secondary(String method, int threads, String metric, String... params) {
        return find(method, threads, true, params).map(r -> {
            JsonNode m = r.path("secondaryMetrics").path(metric).path("score");
            return m.isMissingNode() ? OptionalDouble.empty() : OptionalDouble.of(m.asDouble());
        }).orElse(OptionalDouble.empty());
    }

    /** What {@code method}'s own thread allocated per call over its iterations ({@link ThreadAllocation}), at 1 thread. */
    OptionalDouble threadBytesPerCall(String method, boolean profiled, String... params) {
        return find(method, 1, profiled, params).map(r -> {
            JsonNode m = r.path("secondaryMetrics");
            double calls = m.path("appendingThreadCalls").path("score").asDouble();
            return calls > 0 ? OptionalDouble.of(m.path("appendingThreadBytes").path("score").asDouble() / calls)
                : OptionalDouble.empty();
        }).orElse(OptionalDouble.empty());
    }

    /**
     * The matching run; of several (run.sh repeats the append pairs), the one with the median score.
     *
     * @param profiled the run with {@code -prof gc} (its score is disturbed by the profiler), or one without
     */
    private Optional<JsonNode> find(String method, int threads, boolean profiled, String... params) {
        List<JsonNode> runs = matching(method, threads, profiled, params);
        runs.sort(Comparator.comparingDouble(r -> r.path("primaryMetric").path("score").asDouble()));
        return runs.isEmpty() ? Optional.empty() : Optional.of(runs.get((runs.size() - 1) / 2));
    }

    /** How many times {@code method} ran at {@code threads}, unprofiled. */
    int runs(String method, int threads) {
        return matching(method, threads, false).size();
    }

    private List<JsonNode> matching(String method, int threads, boolean profiled, String... params) {
        List<JsonNode> runs = new ArrayList<>();
        for (JsonNode r : results) {
            String benchmark = r.path("benchmark").asText();
            if (!benchmark.endsWith("." + method) || r.path("threads").asInt() != threads) {
                continue;
            }
            boolean matches = true;
            for (String p : params) {
                String[] kv = p.split("=", 2);
                matches &= kv[1].equals(r.path("params").path(kv[0]).asText());
            }
            if (matches && r.path("secondaryMetrics").has("gc.alloc.rate.norm") == profiled) {
                runs.add(r);
            }
        }
        return runs;
    }

    private String markdown(Path out) throws IOException {
        Rows rows = new Rows(this);
        StringBuilder md = new StringBuilder("# Benchmark summary\n\n");
        md.append("One run on this machine (").append(Runtime.getRuntime().availableProcessors())
            .append(" cores). Ratios compare scores of this run only; absolute numbers drift between runs.\n\n");
        md.append("| target | measured | goal | met |\n|---|---|---|---|\n");
        for (Rows.Row row : rows.all()) {
            md.append("| ").append(row.target()).append(" | ").append(row.measured()).append(" | ").append(row.goal())
                .append(" | ").append(row.met()).append(" |\n");
        }
        md.append("\n## Scores\n\n| benchmark | threads | params | score | unit |\n|---|---|---|---|---|\n");
        for (JsonNode r : results) {
            Map<String, String> params = new TreeMap<>();
            r.path("params").fields().forEachRemaining(e -> params.put(e.getKey(), e.getValue().asText()));
            String name = r.path("benchmark").asText();
            md.append(String.format("| %s | %d | %s | %,.1f | %s |%n", name.substring(name.lastIndexOf('.') + 1),
                r.path("threads").asInt(), params, r.path("primaryMetric").path("score").asDouble(),
                r.path("primaryMetric").path("scoreUnit").asText()));
        }
        Path postgres = out.resolve("postgres.txt");
        if (Files.exists(postgres)) {
            md.append("\n").append(Files.readString(postgres)).append("\n");
        }
        Path clientFailures = out.resolve("clients.txt");
        if (Files.exists(clientFailures) && !Files.readString(clientFailures).isBlank()) {
            md.append("\n## Client workloads that did not run (benchmarks/clients.sh; stderr in logs/)\n\n")
                .append(Files.readString(clientFailures)).append("\n");
        }
        Path lost = out.resolve("lost-writes.txt");
        if (Files.exists(lost)) {
            md.append("\n## Lost writes (4 threads x 2,500 appends)\n\n```\n").append(Files.readString(lost)).append("```\n");
        }
        return md.toString();
    }
}
