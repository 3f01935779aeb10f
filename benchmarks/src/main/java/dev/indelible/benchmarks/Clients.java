package dev.indelible.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalDouble;

/** The lines benchmarks/clients.sh writes to {@code clients.jsonl}, one JSON object per workload, by name. */
final class Clients {
    private final Map<String, JsonNode> byName = new HashMap<>();

    static Clients read(Path file) throws IOException {
        Clients clients = new Clients();
        if (Files.exists(file)) {
            ObjectMapper json = new ObjectMapper();
            for (String line : Files.readAllLines(file)) {
                if (!line.isBlank()) {
                    JsonNode n = json.readTree(line);
                    clients.byName.put(n.path("name").asText(), n);
                }
            }
        }
        return clients;
    }

    /** A numeric field of a workload's line ({@code per_second}, {@code events}, ...), if it ran. */
    OptionalDouble get(String name, String field) {
        JsonNode v = byName.getOrDefault(name, MissingNode.getInstance()).path(field);
        return v.isNumber() ? OptionalDouble.of(v.asDouble()) : OptionalDouble.empty();
    }

    OptionalDouble perSecond(String name) {
        return get(name, "per_second");
    }

    /** The higher rate of several workloads that ran (a baseline at its best setting). */
    OptionalDouble best(String... names) {
        OptionalDouble best = OptionalDouble.empty();
        for (String n : names) {
            OptionalDouble v = perSecond(n);
            if (v.isPresent() && (best.isEmpty() || v.getAsDouble() > best.getAsDouble())) {
                best = v;
            }
        }
        return best;
    }
}
