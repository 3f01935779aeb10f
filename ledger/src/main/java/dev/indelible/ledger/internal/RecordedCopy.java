package dev.indelible.ledger.internal;

import dev.indelible.ledger.EventData;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.RecordedEvent;
import dev.indelible.ledger.Transaction;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks a group of recorded events can be one record of a copy (one append, or one transaction
 * over several streams), and turns them into its parts, one per stream.
 */
final class RecordedCopy {
    private RecordedCopy() {
    }

    /** The events as a transaction of one part per run of one stream, without expected versions or conditions. */
    static Transaction check(List<RecordedEvent> recorded) {
        if (recorded == null || recorded.isEmpty()) {
            throw new IllegalArgumentException("events: must hold at least one event");
        }
        RecordedEvent first = recorded.get(0);
        Set<String> streams = new HashSet<>();
        Transaction.Builder parts = Transaction.builder();
        List<EventData> events = new ArrayList<>();
        for (int i = 0; i < recorded.size(); i++) {
            RecordedEvent e = recorded.get(i);
            if (e.recordedAtMicros() != first.recordedAtMicros() || !e.producerId().equals(first.producerId())) {
                throw new IllegalArgumentException("events[" + i + "] (global_seq " + e.globalSeq()
                    + "): one record holds one time and producer");
            }
            if (e.globalSeq() != first.globalSeq() + i) {
                throw new IllegalArgumentException("events[" + i + "] (global_seq " + e.globalSeq()
                    + "): events of one record are consecutive in global_seq");
            }
            RecordedEvent before = i == 0 ? null : recorded.get(i - 1);
            if (before == null || !before.stream().equals(e.stream())) {
                if (!streams.add(e.stream())) {
                    throw new IllegalArgumentException("events[" + i + "] (global_seq " + e.globalSeq()
                        + "): stream '" + e.stream() + "' appears twice in one record");
                }
                if (before != null) {
                    parts.append(before.stream(), ExpectedVersion.ANY, events);
                    events = new ArrayList<>();
                }
            } else if (e.streamVersion() != before.streamVersion() + 1) {
                throw new IllegalArgumentException("events[" + i + "] (global_seq " + e.globalSeq()
                    + "): events of one stream in one record are consecutive in stream version");
            }
            events.add(new EventData(e.eventId(), e.type(), e.contentType(), e.payload(), e.metadata()));
        }
        return parts.append(recorded.get(recorded.size() - 1).stream(), ExpectedVersion.ANY, events).build();
    }
}
