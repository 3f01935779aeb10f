package dev.indelible.ledger.internal;

import dev.indelible.ledger.EventData;
import dev.indelible.ledger.RecordedEvent;
import java.util.ArrayList;
import java.util.List;

/** Checks a group of recorded events can be one record of a copy, and turns them into event data. */
final class RecordedCopy {
    private RecordedCopy() {
    }

    static List<EventData> check(List<RecordedEvent> recorded) {
        if (recorded == null || recorded.isEmpty()) {
            throw new IllegalArgumentException("events: must hold at least one event");
        }
        RecordedEvent first = recorded.get(0);
        List<EventData> events = new ArrayList<>(recorded.size());
        for (int i = 0; i < recorded.size(); i++) {
            RecordedEvent e = recorded.get(i);
            if (!e.stream().equals(first.stream()) || e.recordedAtMicros() != first.recordedAtMicros()
                || !e.producerId().equals(first.producerId())) {
                throw new IllegalArgumentException("events[" + i + "] (global_seq " + e.globalSeq()
                    + "): one record holds one stream, time and producer");
            }
            if (e.globalSeq() != first.globalSeq() + i || e.streamVersion() != first.streamVersion() + i) {
                throw new IllegalArgumentException("events[" + i + "] (global_seq " + e.globalSeq()
                    + "): events of one record are consecutive in global_seq and stream version");
            }
            events.add(new EventData(e.eventId(), e.type(), e.contentType(), e.payload(), e.metadata()));
        }
        return events;
    }
}
