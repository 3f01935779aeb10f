package dev.indelible.ledger.internal;

import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.EventRule;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.Transaction;
import dev.indelible.ledger.TransactionResult;
import java.util.List;

/**
 * Whether an append or a transaction may be written to the journal as it is now: the caller's
 * expected versions and conditions, then every event's rule (the stream's version just before
 * that event, then each condition on another stream). Asked under the write lock, after retries
 * are answered. In a transaction each event sees the events of the parts before its own, as if
 * they had been appended first.
 *
 * <p>Stateless.
 */
final class AppendDecision {
    /** The version of a stream as an event being decided sees it. */
    interface Versions {
        /** The stream's version, {@link ExpectedVersion#NO_STREAM} when it has no events. */
        long version(String stream);
    }

    private AppendDecision() {
    }

    /**
     * @param requirements what each event's rule requires (null entries: no rule), or null when none has one
     * @return true when the append may be written; else false, with the refusal in {@code outcome}
     */
    static boolean allows(StreamIndex streams, String stream, long expectedVersion, List<EventData> events,
                          EventRule.Requirement[] requirements, AppendOutcome outcome) {
        long actual = streams.version(stream);
        if (!ExpectedVersion.matches(expectedVersion, actual)) {
            outcome.refused(stream, new AppendResult.WrongExpectedVersion(stream, expectedVersion, actual));
            return false;
        }
        AppendResult.RuleViolated violation = requirements == null ? null
            : violation(streams, stream, actual, events, requirements);
        if (violation != null) {
            outcome.refused(stream, violation);
            return false;
        }
        return true;
    }

    /**
     * @param requirements per part, what each event's rule requires, or null when no event has a rule
     * @param versions     filled with each part's stream version before the transaction
     * @return null when the transaction may be written, else its refusal
     */
    static TransactionResult refusal(StreamIndex streams, Transaction transaction,
                                     EventRule.Requirement[][] requirements, long[] versions) {
        List<Transaction.Part> parts = transaction.parts();
        for (int p = 0; p < parts.size(); p++) {
            Transaction.Part part = parts.get(p);
            versions[p] = streams.version(part.stream());
            if (!ExpectedVersion.matches(part.expectedVersion(), versions[p])) {
                return new TransactionResult.PartRefused(p,
                    new AppendResult.WrongExpectedVersion(part.stream(), part.expectedVersion(), versions[p]));
            }
        }
        for (int c = 0; c < transaction.conditions().size(); c++) {
            Transaction.Condition condition = transaction.conditions().get(c);
            long actual = streams.version(condition.stream());
            if (!ExpectedVersion.matches(condition.expectedVersion(), actual)) {
                return new TransactionResult.ConditionFailed(c, condition.stream(), condition.expectedVersion(), actual);
            }
        }
        if (requirements == null) {
            return null;
        }
        for (int p = 0; p < parts.size(); p++) {
            if (requirements[p] == null) {
                continue;
            }
            int part = p;
            Versions seen = stream -> versionBefore(streams, parts, versions, part, stream);
            AppendResult.RuleViolated violation = violation(seen, parts.get(p).stream(), versions[p],
                parts.get(p).events(), requirements[p]);
            if (violation != null) {
                return new TransactionResult.PartRefused(p, violation);
            }
        }
        return null;
    }

    /** {@code stream}'s version as part {@code part} of a transaction sees it: after the parts before it. */
    private static long versionBefore(StreamIndex streams, List<Transaction.Part> parts, long[] versions, int part,
                                      String stream) {
        for (int q = 0; q < part; q++) {
            if (parts.get(q).stream().equals(stream)) {
                return versions[q] + parts.get(q).events().size();
            }
        }
        return streams.version(stream);
    }

    /** The first rule of {@code events} that does not hold, or null; {@code actual} is the stream's version before them. */
    private static AppendResult.RuleViolated violation(Versions streams, String stream, long actual,
                                                       List<EventData> events, EventRule.Requirement[] requirements) {
        for (int i = 0; i < requirements.length; i++) {
            EventRule.Requirement requirement = requirements[i];
            if (requirement == null) {
                continue;
            }
            long before = actual + i; // NO_STREAM is -1: before event i of a new stream it is at i - 1
            if (!ExpectedVersion.matches(requirement.expectedVersion(), before)) {
                return new AppendResult.RuleViolated(stream, i, events.get(i).type(), requirement.field(), stream,
                    requirement.expectedVersion(), before, requirement.why());
            }
            for (EventRule.Condition condition : requirement.conditions()) {
                long version = condition.stream().equals(stream) ? before : streams.version(condition.stream());
                if (!ExpectedVersion.matches(condition.expectedVersion(), version)) {
                    return new AppendResult.RuleViolated(stream, i, events.get(i).type(), condition.field(),
                        condition.stream(), condition.expectedVersion(), version, condition.why());
                }
            }
        }
        return null;
    }
}
