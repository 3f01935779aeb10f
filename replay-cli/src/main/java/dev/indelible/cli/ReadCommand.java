package dev.indelible.cli;

import dev.indelible.server.internal.EventJson;

import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerPartitions;
import dev.indelible.ledger.PartitionPositions;
import dev.indelible.ledger.PartitionedReader;
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
        "Over a journal of several partitions (--journal ...?partitions=P) each line also has its partition and next,",
        "the positions to go on from past it (--from 12,0,7: one global_seq per partition); each partition in its order.",
        "The audit trail: indelible read --type 'ops.*'"})
final class ReadCommand implements Callable<Integer> {
    private static final int PAGE = 1_000;

    @Mixin
    DataOptions data;

    @Option(names = "--from", paramLabel = "POSITION", description = "The first global_seq (default 0); over several"
        + " partitions one per partition (12,0,7, a line's next); with --stream, the first stream_version.")
    String from = "0";

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
        if (limit < 0) {
            throw new IllegalArgumentException("--from and --limit must not be negative");
        }
        out = spec.commandLine().getOut();
        try (LedgerPartitions journal = data.openExistingPartitions()) {
            personal = journal.auditLedger().personalData();
            if (stream != null) {
                readStream(journal.ledgerOf(stream), single());
            } else {
                readAll(journal, positions(journal.count()));
            }
        }
        return Main.OK;
    }

    /** {@code --from} as one number: a global_seq or, with --stream, a version. */
    private long single() {
        try {
            long parsed = Long.parseLong(from.strip());
            if (parsed >= 0) {
                return parsed;
            }
        } catch (NumberFormatException notANumber) {
            throw new IllegalArgumentException("--from: expected a number" + (stream == null ? " (over several partitions,"
                + " one per partition: 12,0,7)" : " (a stream_version)") + ", was '" + from + "'");
        }
        throw new IllegalArgumentException("--from and --limit must not be negative");
    }

    /** {@code --from} over {@code partitions} partitions: 0 is the start of each. */
    private PartitionPositions positions(int partitions) {
        if (partitions == 1) {
            return PartitionPositions.of(single());
        }
        try {
            return PartitionPositions.parse(from, partitions);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--from: " + e.getMessage() + " (a line's next)", e);
        }
    }

    private void readStream(Ledger ledger, long from) {
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

    private void readAll(LedgerPartitions journal, PartitionPositions start) {
        try (PartitionedReader reader = journal.openReader(start)) {
            PartitionedReader.Handler print = reader.partitions() == 1 ? (p, e) -> print(e)
                : (p, e) -> print(e, p, reader.past().toString());
            while (printed < limit) {
                if (reader.poll(print, PAGE) == 0) {
                    if (!follow || Thread.currentThread().isInterrupted()) {
                        return;
                    }
                    LockSupport.parkNanos(5_000_000);
                }
            }
        }
    }

    private void print(RecordedEvent event) {
        print(event, -1, null);
    }

    /** With {@code next} (over several partitions): the event's partition, and the positions past it. */
    private void print(RecordedEvent event, int partition, String next) {
        if (printed >= limit || !matches(event.type())) {
            return;
        }
        out.println(next == null ? EventJson.line(event, personal) : EventJson.line(event, personal, partition, next));
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
