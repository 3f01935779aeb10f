package dev.indelible.server.internal;

import dev.indelible.ledger.PartitionPositions;

/**
 * Where a reader of every event stands, on the wire. With one partition it is the
 * {@code global_seq} read next, a number, as it always was. With P partitions there is no order
 * across them, so it is the {@link PartitionPositions} text, one {@code global_seq} per partition
 * ({@code "12,0,7"}), which a client passes back as it got it; {@code 0} there means the start of
 * every partition, so a client's default start works unchanged.
 */
final class FeedPositions {
    private FeedPositions() {
    }

    /**
     * {@code text} as positions over {@code partitions} partitions, or {@code absent} when null.
     *
     * @throws ApiError 400 naming {@code field} and the reason when it is not such positions
     */
    static PartitionPositions parse(String field, String text, int partitions, PartitionPositions absent) {
        if (text == null) {
            return absent;
        }
        if (partitions == 1) {
            return PartitionPositions.of(Request.number(field, text));
        }
        try {
            return PartitionPositions.parse(text, partitions);
        } catch (IllegalArgumentException e) {
            throw ApiError.invalid(field, e.getMessage());
        }
    }

    /**
     * Where {@code GET /subscribe} resumes after the event its {@code Last-Event-ID} names: its
     * {@code global_seq} + 1, or over several partitions the id itself (the event's {@code next}).
     */
    static PartitionPositions afterEventId(String id, int partitions) {
        if (partitions > 1) {
            return parse("last-event-id", id, partitions, null);
        }
        try {
            return PartitionPositions.of(Long.parseLong(id.strip()) + 1);
        } catch (IllegalArgumentException e) {
            throw ApiError.invalid("last-event-id", "must be a global_seq, was '" + id + "'");
        }
    }

    /** As a JSON value: a number with one partition, else a string. */
    static String json(PartitionPositions positions) {
        return positions.partitions() == 1 ? Long.toString(positions.next(0)) : '"' + positions.toString() + '"';
    }
}
