package dev.indelible.cli;

import dev.indelible.server.internal.EventJson;

import dev.indelible.ledger.EventReader;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.PersonalData;
import dev.indelible.ledger.RecordedEvent;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Prints events as NDJSON, from a position or of one stream, optionally following new ones. */
@Command(name = "read", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Prints events as NDJSON, optionally following new ones.",
        "One JSON object per line: global_seq, stream, stream_version, type, event_id, recorded_at, data.",
        "The audit trail: indelible read --type 'ops.*'"})
final class ReadCommand implements Callable<Integer> {
    private static final int PAGE = 1_000;

    @Mixin
    DataOptions data;

    @Option(names = "--from", description = "The first global_seq (default 0); with --stream, the first stream_version.")
    long from;

    @Option(names = "--stream", description = "Only this stream (an unknown stream is an error).")
    String stream;

    @Option(names = "--type", description = "Only this type; a trailing * matches a prefix, e.g. 'ops.*'.")
    String type;

    @Option(names = "--limit", description = "At most this many events.")
    long limit = Long.MAX_VALUE;

    @Option(names = "--follow", description = "After the last event, wait for new ones until interrupted.")
    boolean follow;

    @Spec
    CommandSpec spec;

    private PrintWriter out;
    private long printed;

    private PersonalData personal;

    @Override
    public Integer call() {
        if (from < 0 || limit < 0) {
            throw new IllegalArgumentException("--from and --limit must not be negative");
        }
        out = spec.commandLine().getOut();
        try (Ledger ledger = data.openExistingLedger()) {
            personal = ledger.personalData();
            if (stream != null) {
                readStream(ledger);
            } else {
                readAll(ledger);
            }
        }
        return Main.OK;
    }

    private void readStream(Ledger ledger) {
        if (ledger.streamVersion(stream) < 0) {
            if (!follow) {
                throw new IllegalArgumentException("no stream named '" + stream + "'");
            }
            spec.commandLine().getErr().println("stream " + stream + " has no events yet; waiting for its first");
            spec.commandLine().getErr().flush();
        }
        long version = from;
        while (printed < limit) {
            List<RecordedEvent> page = ledger.readStream(stream, version, PAGE);
            page.forEach(this::print);
            version += page.size();
            if (page.isEmpty()) {
                if (!follow || Thread.currentThread().isInterrupted()) {
                    return;
                }
                LockSupport.parkNanos(5_000_000);
            }
        }
    }

    private void readAll(Ledger ledger) {
        try (EventReader reader = ledger.openReader(from)) {
            while (printed < limit) {
                if (reader.poll(this::print, PAGE) == 0) {
                    if (!follow || Thread.currentThread().isInterrupted()) {
                        return;
                    }
                    LockSupport.parkNanos(5_000_000);
                }
            }
        }
    }

    private void print(RecordedEvent event) {
        if (printed >= limit || !matches(event.type())) {
            return;
        }
        out.println(EventJson.line(event, personal));
        printed++;
        if (follow) {
            out.flush();
        }
    }

    private boolean matches(String eventType) {
        if (type == null) {
            return true;
        }
        return type.endsWith("*") ? eventType.startsWith(type.substring(0, type.length() - 1)) : eventType.equals(type);
    }
}
