package dev.indelible.server.internal;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.Operations;
import dev.indelible.ledger.RecordedEvent;
import dev.indelible.ledger.proto.OperationRecorded;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The audit trail for the console and {@code GET /admin/audit}: the ledger's {@code ops.*} events newest first, filtered by
 * stream prefix ({@code ops-token-}, {@code ops-projection-selfies}), type and who asked, a page at
 * a time before a {@code global_seq}. It reads only the audit streams ({@link Ledger#auditStreams}),
 * each backwards from its head through the stream index, merged by {@code global_seq}: never the
 * journal, whatever its size. A page looks at {@link #MAX_EXAMINED} audit events at most, matching
 * or not, so a filter that matches little cannot pin a thread; its {@code next} goes on from there.
 * Stateless and thread-safe.
 */
final class AuditTrail {
    static final int MAX_EXAMINED = 2_000;
    /** Events read per step back along one stream. */
    private static final int CHUNK = 32;

    private final Ledger ledger;
    private final int maxLimit;

    /** @param maxLimit the most events a page may ask for: the server's {@code max_read_limit} */
    AuditTrail(Ledger ledger, int maxLimit) {
        this.ledger = ledger;
        this.maxLimit = maxLimit;
    }

    /**
     * What to show.
     *
     * @param streamPrefix a prefix of the audit streams' names, {@code ops-} at least
     * @param types        event types, {@code ops.*} matching a prefix; empty for every {@code ops.*}
     * @param by           the token ({@code by_token}) or OS user that asked; null for anyone
     */
    record Filter(String streamPrefix, List<String> types, String by) {
        Filter {
            if (!streamPrefix.startsWith(Operations.STREAM_PREFIX)) {
                throw ApiError.invalid("stream_prefix", "the audit streams' names begin with " + Operations.STREAM_PREFIX
                    + " (e.g. ops-token-, ops-projection-selfies), not '" + streamPrefix + "'");
            }
        }

        boolean matches(RecordedEvent e) {
            if (!e.type().startsWith("ops.") || !typeMatches(e.type())) {
                return false;
            }
            if (by == null) {
                return true;
            }
            try {
                OperationRecorded op = OperationRecorded.parseFrom(e.payload());
                return by.equals(op.getFiguresOrDefault("by_token", null)) || by.equals(op.getUser());
            } catch (InvalidProtocolBufferException unreadable) {
                return false;
            }
        }

        private boolean typeMatches(String type) {
            return types.isEmpty() || types.stream()
                .anyMatch(t -> t.endsWith("*") ? type.startsWith(t.substring(0, t.length() - 1)) : type.equals(t));
        }
    }

    /**
     * @param next the {@code before} of the next (older) page; -1 when there is nothing older
     */
    record Page(List<RecordedEvent> events, long next, int examined) {
    }

    /**
     * {@code GET .../audit}: {@code before} a {@code global_seq} (default: the newest), {@code limit},
     * {@code stream_prefix} ({@code ops-...}), {@code type} ({@code ops.a,ops.b}), {@code by} (token or OS user);
     * answers {@code {"next", "examined", "events"}}, {@code next} null when nothing is older.
     */
    String json(Request r) {
        r.onlyParams("before", "limit", "stream_prefix", "type", "by");
        int limit = r.limit(maxLimit);
        long before = r.longParam("before", Long.MAX_VALUE);
        String prefix = r.query.get("stream_prefix");
        String types = r.query.get("type");
        String by = r.query.get("by");
        Page page = page(before, limit, new Filter(prefix == null || prefix.isEmpty() ? Operations.STREAM_PREFIX : prefix,
            types == null || types.isBlank() ? List.of() : List.of(types.split(",")), by == null || by.isBlank() ? null : by));
        return EventJson.object(g -> {
            if (page.next() < 0) {
                g.writeNullField("next");
            } else {
                g.writeNumberField("next", page.next());
            }
            g.writeNumberField("examined", page.examined());
            g.writeArrayFieldStart("events");
            for (RecordedEvent e : page.events()) {
                g.writeRawValue(EventJson.line(e, ledger.personalData()));
            }
            g.writeEndArray();
        });
    }

    /** Up to {@code limit} matching events with a {@code global_seq} below {@code before}, newest first. */
    Page page(long before, int limit, Filter filter) {
        PriorityQueue<Backwards> streams = new PriorityQueue<>(
            Comparator.comparingLong((Backwards b) -> b.newest().globalSeq()).reversed());
        for (String stream : ledger.auditStreams()) {
            if (stream.startsWith(filter.streamPrefix())) {
                Backwards b = new Backwards(stream, ledger.streamVersion(stream), before);
                if (b.newest() != null) {
                    streams.add(b);
                }
            }
        }
        List<RecordedEvent> events = new ArrayList<>();
        int examined = 0;
        long last = -1;
        while (!streams.isEmpty() && events.size() < limit && examined < MAX_EXAMINED) {
            Backwards b = streams.poll();
            RecordedEvent e = b.take();
            examined++;
            last = e.globalSeq();
            if (filter.matches(e)) {
                events.add(e);
            }
            if (b.newest() != null) {
                streams.add(b);
            }
        }
        return new Page(events, streams.isEmpty() ? -1 : last, examined);
    }

    /** One audit stream read from its head backwards, a chunk at a time, skipping what is not before the cursor. */
    private final class Backwards {
        private final String stream;
        private final long before;
        private final Deque<RecordedEvent> chunk = new ArrayDeque<>();
        /** The highest stream version not read yet; -1 when all were. */
        private long unread;

        Backwards(String stream, long lastVersion, long before) {
            this.stream = stream;
            this.unread = lastVersion;
            this.before = before;
        }

        /** The newest event before the cursor not taken yet, or null. */
        RecordedEvent newest() {
            while (true) {
                while (!chunk.isEmpty() && chunk.peekFirst().globalSeq() >= before) {
                    chunk.pollFirst(); // newer than the page asked for
                }
                if (!chunk.isEmpty() || unread < 0) {
                    return chunk.peekFirst();
                }
                long from = Math.max(0, unread - CHUNK + 1);
                for (RecordedEvent e : ledger.readStream(stream, from, (int) (unread - from + 1))) {
                    chunk.addFirst(e); // newest first
                }
                unread = from - 1;
            }
        }

        RecordedEvent take() {
            newest();
            return chunk.pollFirst();
        }
    }
}
