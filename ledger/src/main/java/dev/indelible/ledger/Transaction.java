package dev.indelible.ledger;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Appends to several streams as one step, all or nothing, with conditions on streams it does not
 * write: every part's expected version, every condition and every event's {@link EventRule} are
 * checked together under the write lock, and the events are written as one record with
 * consecutive {@code global_seq}s, recovered whole or not at all after a crash.
 *
 * <pre>{@code
 * Transaction change = Transaction.builder()
 *     .append("account-42", 3, EventData.json("account.email_changed", changed))  // the account as read
 *     .append("email-bob@example.com", NO_STREAM, EventData.json("email.reserved", reserved))
 *     .require("closed-42", NO_STREAM)                                             // not closed since
 *     .build();
 * if (ledger.append(change) instanceof TransactionResult.Committed c) { ... }
 * }</pre>
 *
 * <p>Each stream appears once, in a part or in a condition. Event ids are idempotency keys across
 * the whole transaction: a retry of it, event for event, answers the original positions.
 *
 * <p>Immutable and thread-safe when its events are.
 *
 * @param parts      the appends, in the order their events are written
 * @param conditions versions that streams it does not write must be at
 */
public record Transaction(List<Part> parts, List<Condition> conditions) {

    public Transaction {
        parts = copy(parts);
        conditions = copy(conditions);
    }

    /** A new, empty builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** The number of events of every part. */
    public int eventCount() {
        int n = 0;
        for (Part part : parts) {
            n += part == null || part.events() == null ? 0 : part.events().size();
        }
        return n;
    }

    /**
     * Events to append to one stream if it is at {@code expectedVersion} ({@link ExpectedVersion}'s forms).
     */
    public record Part(String stream, long expectedVersion, List<EventData> events) {
        public Part {
            events = copy(events);
        }
    }

    /** A version another stream must be at ({@link ExpectedVersion}'s forms), checked with the appends. */
    public record Condition(String stream, long expectedVersion) {
    }

    /** Builds a {@link Transaction}. Not thread-safe. */
    public static final class Builder {
        private final List<Part> parts = new ArrayList<>();
        private final List<Condition> conditions = new ArrayList<>();

        private Builder() {
        }

        public Builder append(String stream, long expectedVersion, List<EventData> events) {
            parts.add(new Part(stream, expectedVersion, events));
            return this;
        }

        public Builder append(String stream, long expectedVersion, EventData... events) {
            return append(stream, expectedVersion, Arrays.asList(events));
        }

        public Builder require(String stream, long expectedVersion) {
            conditions.add(new Condition(stream, expectedVersion));
            return this;
        }

        public Transaction build() {
            return new Transaction(parts, conditions);
        }
    }

    /** An unmodifiable copy that keeps null elements, so the ledger's checks can name them. */
    private static <T> List<T> copy(List<T> list) {
        if (list == null) {
            return null;
        }
        for (T element : list) {
            if (element == null) {
                return Collections.unmodifiableList(new ArrayList<>(list));
            }
        }
        return List.copyOf(list); // no copy of a list that is already one
    }
}
