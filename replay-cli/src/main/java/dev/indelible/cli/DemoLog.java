package dev.indelible.cli;

import dev.indelible.ledger.EventId;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** What the demo promised (every acknowledged event id), what it refused, and what it printed. Thread-safe. */
final class DemoLog {
    final PrintWriter out;
    private final Set<EventId> acknowledged = new HashSet<>();
    private final List<String> rejections = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();

    DemoLog(PrintWriter out) {
        this.out = out;
    }

    synchronized void acknowledged(EventId id) {
        acknowledged.add(id);
    }

    synchronized Set<EventId> acknowledged() {
        return Set.copyOf(acknowledged);
    }

    synchronized void rejected(String why) {
        rejections.add(why);
    }

    synchronized List<String> rejections() {
        return List.copyOf(rejections);
    }

    /** Something the demo expected did not happen: the run fails, and the report says what. */
    synchronized void failed(String what) {
        failures.add(what);
        out.println("   FAILED: " + what);
    }

    synchronized List<String> failures() {
        return List.copyOf(failures);
    }

    void scene(String title) {
        out.printf("%n%s%n", title);
        out.flush();
    }

    void say(String format, Object... args) {
        out.printf("   " + format + "%n", args);
        out.flush();
    }
}
