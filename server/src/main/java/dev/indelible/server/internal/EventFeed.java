package dev.indelible.server.internal;

import dev.indelible.ledger.LedgerPartitions;
import dev.indelible.ledger.PartitionPositions;
import dev.indelible.ledger.PartitionedReader;
import dev.indelible.ledger.RecordedEvent;
import dev.indelible.server.Token;
import dev.indelible.server.Verb;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Events for readers that follow the journal over HTTP: a page from a position, filtered by the
 * token's streams, a stream prefix and event types, waiting for new events when there are none
 * yet ({@code GET /events?wait=}, {@code GET /subscribe}). Appends made through this server wake
 * the waiters at once; appends by another process are seen within {@link #RECHECK_MILLIS}.
 *
 * <p>Over several partitions a page takes each partition's events in its order, the partitions in
 * turn, with no order across them, and its positions are one {@code global_seq} per partition
 * ({@link FeedPositions}).
 *
 * <p>Thread-safe.
 */
final class EventFeed {
    /** How long a waiter sleeps before it looks again without being woken. */
    static final long RECHECK_MILLIS = 50;
    /** Events scanned per page at most, matching or not, so a filter that matches little cannot pin a thread on one read. */
    private static final int SCAN = 1_000;
    /** Payload bytes one page holds at most (one event more when it alone is larger). */
    static final long PAGE_BYTES = 1L << 20;

    private final LedgerPartitions partitions;
    private final Object appended = new Object();

    /** Opens the sealed fields of the events it delivers. */
    dev.indelible.ledger.PersonalData personalData() {
        return partitions.auditLedger().personalData();
    }

    EventFeed(LedgerPartitions partitions) {
        this.partitions = partitions;
    }

    /** The number of partitions: 1 unless the journal has several. */
    int partitionCount() {
        return partitions.count();
    }

    /** Where every partition's next event will go. */
    PartitionPositions head() {
        return partitions.head();
    }

    /**
     * An event as a reader of every partition gets it.
     *
     * @param partition the partition that holds it
     * @param after     where to read on to have it and everything scanned before it; null with one
     *                  partition, where that is its {@code global_seq} + 1
     */
    record Item(int partition, RecordedEvent event, PartitionPositions after) {
    }

    /** Which events a reader wants: the token's streams always, then a stream prefix and types if given. */
    record Filter(Token token, String streamPrefix, List<String> types) {

        /**
         * From a request: {@code stream_prefix=P} and {@code type=T[,T2...]} ({@code ops.*} matches a
         * prefix). A prefix no stream name can start with (control characters, longer than
         * {@code maxStreamBytes}) is refused naming {@code stream_prefix}: it is a mistake, not a
         * filter that never matches.
         */
        static Filter of(Token token, String streamPrefix, String types, int maxStreamBytes) {
            String prefix = streamPrefix == null ? "" : streamPrefix;
            checkPrefix(prefix, maxStreamBytes);
            return new Filter(token, prefix, types == null || types.isBlank() ? List.of() : List.of(types.split(",")));
        }

        /** Every event the token may read. */
        static Filter readable(Token token) {
            return new Filter(token, "", List.of());
        }

        private static void checkPrefix(String prefix, int maxStreamBytes) {
            for (int i = 0; i < prefix.length(); i++) {
                if (Character.isISOControl(prefix.charAt(i))) {
                    throw ApiError.invalid("stream_prefix", "must not contain control characters (at index " + i + ")");
                }
            }
            int bytes = prefix.getBytes(StandardCharsets.UTF_8).length;
            if (bytes > maxStreamBytes) {
                throw ApiError.invalid("stream_prefix", "is " + bytes + " UTF-8 bytes, longer than any stream name (at most "
                    + maxStreamBytes + ")");
            }
        }

        boolean matches(RecordedEvent e) {
            return e.stream().startsWith(streamPrefix) && token.allows(Verb.READ, e.stream()) && typeMatches(e.type());
        }

        private boolean typeMatches(String type) {
            if (types.isEmpty()) {
                return true;
            }
            for (String t : types) {
                if (t.endsWith("*") ? type.startsWith(t.substring(0, t.length() - 1)) : type.equals(t)) {
                    return true;
                }
            }
            return false;
        }
    }

    /**
     * @param events the matching events
     * @param next   where to read from next: past the last event scanned, matching or not
     */
    record Page(List<Item> events, PartitionPositions next) {
        /** The events without their partitions. */
        List<RecordedEvent> recorded() {
            return events.stream().map(Item::event).toList();
        }
    }

    /**
     * Up to {@code limit} matching events from {@code from}; when none match yet, waits up to
     * {@code waitMillis} for more (0: answers at once), giving up early when {@code stop} says so.
     */
    Page read(PartitionPositions from, int limit, Filter filter, long waitMillis, BooleanSupplier stop)
        throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
        PartitionPositions position = from;
        while (true) {
            Scan scan = scan(position, limit, filter);
            position = scan.next;
            long left = deadline - System.nanoTime();
            if (!scan.matching.isEmpty() || (scan.scanned == 0 && left <= 0) || stop.getAsBoolean()) {
                return new Page(scan.matching, position);
            }
            if (scan.scanned == 0) {
                awaitAppend(Math.min(TimeUnit.NANOSECONDS.toMillis(left) + 1, RECHECK_MILLIS));
            } else if (left <= 0) {
                return new Page(scan.matching, position); // a page of others' events: say how far it got
            }
        }
    }

    /**
     * Reads events one at a time from {@code from}, keeping the matching ones, until {@code limit}
     * match, {@link #SCAN} were read or the kept payloads reach {@link #PAGE_BYTES}: a page of
     * large events never sits in memory whole.
     */
    private Scan scan(PartitionPositions from, int limit, Filter filter) {
        try (PartitionedReader reader = partitions.openReader(from)) {
            Scan scan = new Scan(filter, reader);
            while (scan.scanned < SCAN && scan.matching.size() < limit && scan.bytes < PAGE_BYTES
                && reader.poll(scan::take, 1) > 0) {
                scan.scanned++;
            }
            scan.next = reader.position();
            return scan;
        }
    }

    /** What one scan kept. Not thread-safe. */
    private static final class Scan {
        final List<Item> matching = new ArrayList<>();
        final Filter filter;
        int scanned;
        long bytes;
        PartitionPositions next;
        private final PartitionedReader reader;

        Scan(Filter filter, PartitionedReader reader) {
            this.filter = filter;
            this.reader = reader;
        }

        void take(int partition, RecordedEvent e) {
            if (filter.matches(e)) {
                matching.add(new Item(partition, e, reader.partitions() == 1 ? null : reader.past()));
                bytes += e.payload().length;
            }
        }
    }

    /** Wakes the waiters: an append through this server is durable. */
    void appended() {
        synchronized (appended) {
            appended.notifyAll();
        }
    }

    private void awaitAppend(long millis) throws InterruptedException {
        synchronized (appended) {
            appended.wait(Math.max(1, millis));
        }
    }
}
