package dev.indelible.ledger.internal;

import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.EventRule;
import dev.indelible.ledger.ExpectedVersion;
import java.util.List;

/**
 * Whether an append may be written to the journal as it is now: the caller's expected version,
 * then every event's rule (the stream's version just before that event, then each condition on
 * another stream). Asked under the write lock, after retries are answered.
 *
 * <p>Stateless.
 */
final class AppendDecision {
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
        return requirements == null || rulesHold(streams, stream, actual, events, requirements, outcome);
    }

    private static boolean rulesHold(StreamIndex streams, String stream, long actual, List<EventData> events,
                                     EventRule.Requirement[] requirements, AppendOutcome outcome) {
        for (int i = 0; i < requirements.length; i++) {
            EventRule.Requirement requirement = requirements[i];
            if (requirement == null) {
                continue;
            }
            long before = actual + i; // NO_STREAM is -1: before event i of a new stream it is at i - 1
            if (!ExpectedVersion.matches(requirement.expectedVersion(), before)) {
                outcome.refused(stream, new AppendResult.RuleViolated(stream, i, events.get(i).type(),
                    requirement.field(), stream, requirement.expectedVersion(), before, requirement.why()));
                return false;
            }
            for (EventRule.Condition condition : requirement.conditions()) {
                long version = condition.stream().equals(stream) ? before : streams.version(condition.stream());
                if (!ExpectedVersion.matches(condition.expectedVersion(), version)) {
                    outcome.refused(stream, new AppendResult.RuleViolated(stream, i, events.get(i).type(),
                        condition.field(), condition.stream(), condition.expectedVersion(), version, condition.why()));
                    return false;
                }
            }
        }
        return true;
    }
}
