package dev.indelible.ledger;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Replays a journal and reports every event that breaks its type's {@link EventRule}, as the
 * ledger would have refused it at append: for journals written before the rules existed, or by a
 * process that did not register them. Each finding names the event, the rule and the stream, and
 * where it can the {@code global_seq} of the event it collides with.
 *
 * <p>Read-only. Not thread-safe: one audit per call. Keeps one small entry per stream in memory.
 */
public final class RuleAudit {
    private final LedgerConfig config;
    private final Map<String, StreamSeen> streams = new HashMap<>();
    private final List<Violation> violations = new ArrayList<>();
    private long audited;

    private RuleAudit(LedgerConfig config) {
        this.config = config;
    }

    /** An event that breaks its rule. */
    public record Violation(long globalSeq, String stream, String rule, String message) {
        @Override
        public String toString() {
            return "global_seq " + globalSeq + " (" + rule + " on " + stream + "): " + message;
        }
    }

    /** What an audit found: every violation, and how many events had a rule to check. */
    public record Report(long eventsChecked, long eventsWithRules, List<Violation> violations) {
        public boolean ok() {
            return violations.isEmpty();
        }
    }

    /** Audits {@code ledger}'s events up to its head against the rules and validators of {@code config}. */
    public static Report run(Ledger ledger, LedgerConfig config) {
        RuleAudit audit = new RuleAudit(config);
        long head = ledger.head();
        try (EventReader reader = ledger.openReader(0)) {
            while (reader.position() < head && reader.poll(audit::check, 4096) > 0) {
                // checks each event
            }
        }
        return new Report(head, audit.audited, List.copyOf(audit.violations));
    }

    private void check(RecordedEvent event) {
        StreamSeen seen = streams.computeIfAbsent(event.stream(), s -> new StreamSeen(event.globalSeq()));
        long before = event.streamVersion() - 1;
        EventRule rule = config.rule(event.type());
        if (rule != null) {
            audited++;
            checkRule(rule, event, before);
        }
        seen.version = event.streamVersion();
    }

    private void checkRule(EventRule rule, RecordedEvent event, long before) {
        EventData data = new EventData(event.eventId(), event.type(), event.contentType(), event.payload(), event.metadata());
        EventRule.Requirement requirement;
        boolean sealed = config.personalFields(event.type()) != null;
        try {
            EventValidator validator = config.validator(event.type());
            // A sealed payload was validated in clear at its append; its clear values are not here to check again.
            if (validator != null && !sealed) {
                validator.validate(data);
            }
            requirement = rule.require(data);
        } catch (InvalidEventException e) {
            report(event, "would be refused: " + e.getMessage());
            return;
        }
        if (!requirement.stream().equals(event.stream()) && !(sealed && samePersonalPrefix(requirement.stream(), event.stream()))) {
            report(event, "belongs to stream " + requirement.stream() + " (named by " + requirement.field() + "), not "
                + event.stream());
        } else if (!ExpectedVersion.matches(requirement.expectedVersion(), before)) {
            report(event, describe(requirement.why(), event.stream(), requirement.field(), requirement.expectedVersion(),
                before));
        }
        for (EventRule.Condition condition : requirement.conditions()) {
            long version = versionOf(condition.stream(), event);
            if (!ExpectedVersion.matches(condition.expectedVersion(), version)) {
                report(event, describe(condition.why(), condition.stream(), condition.field(), condition.expectedVersion(),
                    version));
            }
        }
    }

    /**
     * A personal stream of a sealed event is named by a keyed hash of a clear value the audit cannot
     * see (and after an erasure nobody can): only its prefix is checked.
     */
    private boolean samePersonalPrefix(String required, String stored) {
        for (String prefix : config.personalStreams()) {
            if (required.startsWith(prefix) && stored.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    /** A stream's version just before {@code event}; the event's own stream counts only what came before it. */
    private long versionOf(String stream, RecordedEvent event) {
        if (stream.equals(event.stream())) {
            return event.streamVersion() - 1;
        }
        StreamSeen seen = streams.get(stream);
        return seen == null ? ExpectedVersion.NO_STREAM : seen.version;
    }

    private String describe(String why, String stream, String field, long required, long actual) {
        StreamSeen seen = streams.get(stream);
        String since = actual >= 0 && seen != null ? " (its first event is global_seq " + seen.firstSeq + ")" : "";
        return (why.isEmpty() ? "" : why + ": ") + "stream " + stream + ", named by " + field + ", "
            + ExpectedVersion.requirement(required) + "; it " + ExpectedVersion.state(actual) + since;
    }

    private void report(RecordedEvent event, String message) {
        violations.add(new Violation(event.globalSeq(), event.stream(), event.type(), message));
    }


    /** What the audit knows of a stream so far. */
    private static final class StreamSeen {
        final long firstSeq;
        long version = ExpectedVersion.NO_STREAM;

        StreamSeen(long firstSeq) {
            this.firstSeq = firstSeq;
        }
    }
}
