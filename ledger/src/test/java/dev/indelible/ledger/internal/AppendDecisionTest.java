package dev.indelible.ledger.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.EventRule;
import dev.indelible.ledger.ExpectedVersion;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The decision under the write lock: the caller's expected version first, then each event's rule in order. */
class AppendDecisionTest {
    private final StreamIndex streams = new StreamIndex();
    private final AppendOutcome outcome = new AppendOutcome();
    private final List<EventData> two = List.of(event("a.first"), event("a.second"));

    @BeforeEach
    void existing() {
        streams.advance("member-ann", 0, 100);
        streams.advance("email-ann@example.com", 2, 200);
    }

    @Test
    void shouldAllowAnAppendWithoutRulesWhoseExpectedVersionMatches() {
        assertTrue(AppendDecision.allows(streams, "email-ann@example.com", 2, two, null, outcome));
        assertTrue(AppendDecision.allows(streams, "new-stream", ExpectedVersion.NO_STREAM, two, null, outcome));
    }

    @Test
    void shouldRefuseAWrongExpectedVersionWithTheActualOne() {
        assertFalse(AppendDecision.allows(streams, "email-ann@example.com", ExpectedVersion.NO_STREAM, two,
            new EventRule.Requirement[2], outcome));

        AppendResult.WrongExpectedVersion wrong = assertInstanceOf(AppendResult.WrongExpectedVersion.class,
            outcome.refusal());
        assertEquals(2, wrong.actualVersion());
        assertEquals(ExpectedVersion.NO_STREAM, wrong.expectedVersion());
    }

    @Test
    void shouldCheckEachEventsRuleAtTheVersionJustBeforeIt() {
        // The second event requires a new stream: before it, the first event has made the stream exist.
        EventRule.Requirement[] rules = {null,
            EventRule.Requirement.stream("email-bob@example.com", "data.email").expect(ExpectedVersion.NO_STREAM, "one account")};

        assertFalse(AppendDecision.allows(streams, "email-bob@example.com", ExpectedVersion.ANY, two, rules, outcome));

        AppendResult.RuleViolated violated = assertInstanceOf(AppendResult.RuleViolated.class, outcome.refusal());
        assertEquals(1, violated.event());
        assertEquals("a.second", violated.rule());
        assertEquals("data.email", violated.field());
        assertEquals("email-bob@example.com", violated.checkedStream());
        assertEquals(0, violated.actualVersion());
    }

    @Test
    void shouldRefuseAMissingConditionNamingItsStreamAndField() {
        EventRule.Requirement[] rules = {
            EventRule.Requirement.stream("prayer-1", "data.prayer_id")
                .require("member-ann", "data.author", ExpectedVersion.STREAM_EXISTS, "the author is a member"),
            EventRule.Requirement.stream("prayer-1", "data.prayer_id")
                .require("member-bob", "data.username", ExpectedVersion.STREAM_EXISTS, "the member exists")};

        assertFalse(AppendDecision.allows(streams, "prayer-1", ExpectedVersion.ANY, two, rules, outcome));

        AppendResult.RuleViolated violated = assertInstanceOf(AppendResult.RuleViolated.class, outcome.refusal());
        assertEquals(1, violated.event());
        assertEquals("member-bob", violated.checkedStream());
        assertEquals("data.username", violated.field());
        assertEquals(ExpectedVersion.NO_STREAM, violated.actualVersion());
    }

    @Test
    void shouldAllowWhenEveryRuleAndConditionHolds() {
        EventRule.Requirement[] rules = {
            EventRule.Requirement.stream("prayer-1", "data.prayer_id").expect(ExpectedVersion.NO_STREAM, "new prayer")
                .require("member-ann", "data.author", ExpectedVersion.STREAM_EXISTS, "the author is a member"),
            EventRule.Requirement.stream("prayer-1", "data.prayer_id")
                .require("prayer-1", "data.prayer_id", 0, "marks follow the prayer")};

        assertTrue(AppendDecision.allows(streams, "prayer-1", ExpectedVersion.NO_STREAM, two, rules, outcome));
    }

    private static EventData event(String type) {
        return EventData.json(type, "{}".getBytes());
    }
}
