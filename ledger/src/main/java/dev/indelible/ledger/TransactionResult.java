package dev.indelible.ledger;

import java.util.List;

/**
 * What a {@link Transaction} did: committed whole, or refused with the part or condition that
 * failed, and nothing written. Expected outcomes are values, as for {@link AppendResult}.
 *
 * <p>Immutable and thread-safe.
 */
public sealed interface TransactionResult
    permits TransactionResult.Committed, TransactionResult.PartRefused, TransactionResult.ConditionFailed {

    /** One sentence saying what happened, e.g. for an API error. */
    String message();

    /**
     * Every part is in the journal: part {@code i} as {@code parts().get(i)}, the events of all
     * parts consecutive in {@code global_seq}.
     *
     * @param duplicate true when this was a retry: the events were already there, nothing was written
     */
    record Committed(List<AppendResult.Appended> parts, boolean duplicate) implements TransactionResult {
        public Committed {
            parts = List.copyOf(parts);
        }

        public long firstGlobalSeq() {
            return parts.get(0).firstGlobalSeq();
        }

        public long lastGlobalSeq() {
            return parts.get(parts.size() - 1).lastGlobalSeq();
        }

        @Override
        public String message() {
            return (duplicate ? "already committed" : "committed") + " at global_seq " + firstGlobalSeq() + " to "
                + lastGlobalSeq();
        }
    }

    /**
     * Part {@code part} was refused: its stream was not at the expected version
     * ({@link AppendResult.WrongExpectedVersion}), one of its events' rules did not hold
     * ({@link AppendResult.RuleViolated}, {@code event} counted within the part), or one of its
     * event ids is already recorded otherwise ({@link AppendResult.EventIdConflict}).
     */
    record PartRefused(int part, AppendResult refusal) implements TransactionResult {
        @Override
        public String message() {
            String why;
            if (refusal instanceof AppendResult.WrongExpectedVersion w) {
                why = "stream " + w.stream() + " " + ExpectedVersion.requirement(w.expectedVersion()) + "; it "
                    + ExpectedVersion.state(w.actualVersion());
            } else if (refusal instanceof AppendResult.RuleViolated r) {
                why = "events[" + r.event() + "]: " + r.message();
            } else if (refusal instanceof AppendResult.EventIdConflict c) {
                why = c.reason();
            } else {
                why = String.valueOf(refusal);
            }
            return "parts[" + part + "]: " + why;
        }
    }

    /** Condition {@code condition} did not hold: {@code stream} is at {@code actualVersion}. */
    record ConditionFailed(int condition, String stream, long expectedVersion, long actualVersion)
        implements TransactionResult {
        @Override
        public String message() {
            return "conditions[" + condition + "]: stream " + stream + " " + ExpectedVersion.requirement(expectedVersion)
                + "; it " + ExpectedVersion.state(actualVersion);
        }
    }
}
