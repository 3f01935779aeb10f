package dev.indelible.ledger.contract;

import static dev.indelible.ledger.ExpectedVersion.ANY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.indelible.ledger.ContentType;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.EventId;
import dev.indelible.ledger.InvalidEventException;
import dev.indelible.ledger.LedgerConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Bad input names the field and the reason, and nothing is written. */
public abstract class InputContract extends LedgerContract {

    @Override
    protected LedgerConfig config() {
        return super.config().toBuilder()
            .maxPayloadBytes(1_000)
            .maxEventsPerAppend(50)
            .validator("selfie.submitted", e -> {
                if (!new String(e.payload(), java.nio.charset.StandardCharsets.UTF_8).contains("\"user_id\"")) {
                    throw new InvalidEventException("user_id", "is required");
                }
            })
            .build();
    }

    @Test
    void shouldNameTheFieldOfEveryKindOfBadInputAndWriteNothing() {
        open();
        ledger.append("s", ANY, event(0));
        byte[] big = new byte[1_001];
        Arrays.fill(big, (byte) ' ');
        List<EventData> tooMany = new ArrayList<>();
        for (int i = 0; i < 51; i++) {
            tooMany.add(event(i));
        }

        refused("stream", () -> ledger.append(null, ANY, event(1)));
        refused("stream", () -> ledger.append("", ANY, event(1)));
        refused("stream", () -> ledger.append("s".repeat(257), ANY, event(1)));
        refused("stream", () -> ledger.append("line\nbreak", ANY, event(1)));
        refused("expectedVersion", () -> ledger.append("s", -7, event(1)));
        refused("events", () -> ledger.append("s", ANY, List.of()));
        refused("events[0]", () -> ledger.append("s", ANY, (EventData) null));
        refused("events", () -> ledger.append("s", ANY, tooMany));
        refused("events[0].type", () -> ledger.append("s", ANY, new EventData(EventId.random(), "", ContentType.JSON, "{}".getBytes(), Map.of())));
        refused("events[0].payload", () -> ledger.append("s", ANY, new EventData(EventId.random(), "t", ContentType.PROTOBUF, null, Map.of())));
        refused("events[0].payload", () -> ledger.append("s", ANY, new EventData(EventId.random(), "t", ContentType.PROTOBUF, big, Map.of())));
        refused("events[0].event_id", () -> ledger.append("s", ANY, new EventData(null, "t", ContentType.PROTOBUF, new byte[1], Map.of())));
        refused("events[0].payload", () -> ledger.append("s", ANY, json("[1, 2]")));
        refused("events[0].payload", () -> ledger.append("s", ANY, json("{\"user_id\": ")));
        refused("user_id", () -> ledger.append("s", ANY, new EventData(EventId.random(), "selfie.submitted", ContentType.JSON, "{}".getBytes(), Map.of())));
        EventData once = event(9);
        refused("events[1].event_id", () -> ledger.append("s", ANY, List.of(once, once)));
        refused("events[2].payload", () -> ledger.append("s", ANY, List.of(event(1), event(2), json("not json"), event(4))));

        assertEquals(1, ledger.head(), "nothing may be written by a refused append");
        assertEquals(0, ledger.streamVersion("s"));
        assertEquals(1, ledger.read(0, 100).size());
    }

    private static void refused(String field, Executable append) {
        InvalidEventException e = assertThrows(InvalidEventException.class, append);
        assertEquals(field, e.field(), e.getMessage());
    }
}
