package dev.indelible.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class EventIdTest {

    @Test
    void shouldMakeDistinctVersion4Ids() {
        Set<EventId> ids = new HashSet<>();
        for (int i = 0; i < 100_000; i++) {
            EventId id = EventId.random();
            assertEquals(4, id.toUuid().version());
            assertEquals(2, id.toUuid().variant());
            ids.add(id);
        }
        assertEquals(100_000, ids.size());
    }

    @Test
    void shouldReadUuidTextAndHexAsTheSameId() {
        UUID uuid = UUID.fromString("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");

        assertEquals(EventId.of(uuid), EventId.parse(uuid.toString()));
        assertEquals(EventId.of(uuid), EventId.parse("0f1e2d3c4b5a69788796a5b4c3d2e1f0"));
        assertEquals(EventId.of(uuid), EventId.parse(" 0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0\n"));
        assertEquals(new EventId(-1, -1), EventId.parse("ffffffffffffffffffffffffffffffff"));
        assertEquals(EventId.of(uuid), EventId.fromBytes(EventId.of(uuid).toBytes()));
        assertEquals("0f1e2d3c4b5a69788796a5b4c3d2e1f0", EventId.of(uuid).toHex());
    }

    @Test
    void shouldNameTheFieldWhenTheTextIsNotAnId() {
        InvalidEventException e = assertThrows(InvalidEventException.class, () -> EventId.parse("not-an-id"));

        assertEquals("event_id", e.field());
        assertThrows(InvalidEventException.class, () -> EventId.parse("0f1e2d3c4b5a69788796a5b4c3d2e1f"), "31 digits");
        assertThrows(InvalidEventException.class, () -> EventId.parse("0f1e2d3c4b5a69788796a5b4c3d2e1f00"), "33 digits");
        assertThrows(InvalidEventException.class, () -> EventId.parse("0f1e2d3c4b5a6978 8796a5b4c3d2e1f0"), "a space inside");
        assertThrows(InvalidEventException.class, () -> EventId.fromBytes(new byte[15]));
    }
}
