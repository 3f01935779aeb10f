package dev.indelible.ledger;

/**
 * What an append did. Expected outcomes are values, not exceptions: a caller switches on them.
 *
 * <p>Immutable and thread-safe.
 */
public sealed interface AppendResult
    permits AppendResult.Appended, AppendResult.WrongExpectedVersion, AppendResult.EventIdConflict,
    AppendResult.RuleViolated {

    /**
     * The events are in the journal and hold under the ledger's durability policy. Events of one
     * append are consecutive: event {@code i} has {@code firstGlobalSeq + i} and
     * {@code firstStreamVersion + i}.
     *
     * @param duplicate true when this was a retry: the events were already there, nothing was written
     */
    record Appended(String stream, long firstGlobalSeq, long firstStreamVersion, int count, boolean duplicate)
        implements AppendResult {

        public long lastGlobalSeq() {
            return firstGlobalSeq + count - 1;
        }

        public long lastStreamVersion() {
            return firstStreamVersion + count - 1;
        }
    }

    /**
     * The stream was not at the expected version; nothing was written.
     *
     * @param actualVersion the stream's current version, or {@link ExpectedVersion#NO_STREAM} when it has no events
     */
    record WrongExpectedVersion(String stream, long expectedVersion, long actualVersion) implements AppendResult {
    }

    /**
     * An event id is already in the journal, but not as a retry of this very append (other stream,
     * other payload, or other companions in its batch). Nothing was written: a producer reused a key.
     */
    record EventIdConflict(String stream, EventId eventId, long existingGlobalSeq, String reason)
        implements AppendResult {
    }

    /**
     * An event's {@link EventRule} did not hold when the append was decided; nothing was written.
     *
     * @param stream          the append's stream
     * @param event           the index of the refused event in the append (0 for a single event)
     * @param rule            the event type whose rule refused it
     * @param field           the payload field that names {@code checkedStream}
     * @param checkedStream   the stream whose version did not match: the append's own, or a condition's
     * @param requiredVersion the version the rule requires ({@link ExpectedVersion}'s forms)
     * @param actualVersion   that stream's version, {@link ExpectedVersion#NO_STREAM} when it has no events
     * @param why             what the rule protects, e.g. "an address has one account"
     */
    record RuleViolated(String stream, int event, String rule, String field, String checkedStream, long requiredVersion,
                        long actualVersion, String why) implements AppendResult {

        /** One sentence naming the rule, the field and the stream, e.g. for an API error. */
        public String message() {
            return "rule " + rule + (why.isEmpty() ? "" : " (" + why + ")") + ": stream " + checkedStream
                + ", named by " + field + ", " + ExpectedVersion.requirement(requiredVersion) + "; it "
                + ExpectedVersion.state(actualVersion);
        }
    }
}
