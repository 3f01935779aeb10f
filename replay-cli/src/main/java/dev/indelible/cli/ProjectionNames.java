package dev.indelible.cli;

import dev.indelible.projections.Projection;
import dev.indelible.projections.reference.ReferenceProjections;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Collectors;

/** The projections the command knows: the five reference ones. Also picocli's completion candidates. */
final class ProjectionNames implements Iterable<String> {

    static List<Projection> all() {
        return ReferenceProjections.all();
    }

    static Projection find(String name) {
        return all().stream().filter(p -> p.name().equals(name)).findFirst()
            .orElseThrow(() -> new IllegalArgumentException("no projection named '" + name + "' (known: " + list() + ")"));
    }

    static String list() {
        return all().stream().map(Projection::name).collect(Collectors.joining(", "));
    }

    @Override
    public Iterator<String> iterator() {
        return all().stream().map(Projection::name).iterator();
    }
}
