package dev.indelible.ledger;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * What an event type requires of every append that carries it: the stream it must go to (derived
 * from its payload), the version that stream must be at just before it, and the versions other
 * streams must be at. Registered per type with {@link LedgerConfig.Builder#rule(String, EventRule)},
 * beside the type's validator, so every producer (Java, CLI, HTTP, gRPC, either journal) meets it.
 *
 * <p>The ledger asks the rule for a {@link Requirement} outside its write lock, refuses at once an
 * event sent to another stream ({@link InvalidEventException} on {@code stream}), and checks the
 * versions under the write lock with the append: a failed check is an
 * {@link AppendResult.RuleViolated} and nothing is written. A retry of an append already in the
 * journal is answered as a duplicate before any rule is checked.
 *
 * <pre>{@code
 * builder.rule("account.registered", event -> {
 *     String email = parse(event).getEmail();
 *     return EventRule.Requirement.stream("email-" + email, "email")
 *         .expect(ExpectedVersion.NO_STREAM, "an address has one account");
 * });
 * }</pre>
 *
 * <p>Implementations must be thread-safe, pure (the payload alone decides) and must not block.
 */
@FunctionalInterface
public interface EventRule {

    /**
     * What appending {@code event} requires. Called after the type's validator accepted it.
     *
     * @throws InvalidEventException naming the payload field when the payload cannot be placed
     */
    Requirement require(EventData event);

    /**
     * One event's requirement. Immutable and thread-safe.
     *
     * @param stream          the only stream the event may be appended to
     * @param field           the payload field that names {@code stream}, for errors
     * @param expectedVersion the version {@code stream} must be at just before this event
     *                        ({@link ExpectedVersion}'s forms; {@code ANY} for no check)
     * @param why             what the version check protects, for errors (e.g. "an address has one account")
     * @param conditions      versions that other streams must be at when the event is appended
     */
    record Requirement(String stream, String field, long expectedVersion, String why, List<Condition> conditions) {

        public Requirement {
            Objects.requireNonNull(stream, "stream");
            Objects.requireNonNull(field, "field");
            ExpectedVersion.check(expectedVersion);
            why = why == null ? "" : why;
            conditions = List.copyOf(conditions);
        }

        /** The event must go to {@code stream}, which payload {@code field} names; no version check yet. */
        public static Requirement stream(String stream, String field) {
            return new Requirement(stream, field, ExpectedVersion.ANY, "", List.of());
        }

        /** The same requirement with {@code stream} at {@code version} just before the event. */
        public Requirement expect(long version, String reason) {
            return new Requirement(stream, field, version, reason, conditions);
        }

        /** The same requirement with one more condition on another stream. */
        public Requirement require(String conditionStream, String conditionField, long version, String reason) {
            List<Condition> more = new ArrayList<>(conditions);
            more.add(new Condition(conditionStream, conditionField, version, reason));
            return new Requirement(stream, field, expectedVersion, why, Collections.unmodifiableList(more));
        }
    }

    /**
     * A version another stream must be at when the event is appended: {@code STREAM_EXISTS} for a
     * reference (a prayer's author), {@code NO_STREAM} for a state that must not have happened yet
     * (an account that must not be closed). Immutable and thread-safe.
     *
     * @param stream          the stream checked
     * @param field           the payload field that names it, for errors
     * @param expectedVersion {@link ExpectedVersion}'s forms
     * @param why             what the condition protects, for errors (e.g. "the author is a member")
     */
    record Condition(String stream, String field, long expectedVersion, String why) {
        public Condition {
            Objects.requireNonNull(stream, "stream");
            Objects.requireNonNull(field, "field");
            ExpectedVersion.check(expectedVersion);
            why = why == null ? "" : why;
        }
    }
}
