package dev.indelible.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import org.junit.jupiter.api.Test;

class PendingAppendsTest {
    private record Entry(long id) {
    }

    @Test
    void shouldGiveEachEntryBackOnceByItsId() {
        PendingAppends<Entry> pending = new PendingAppends<>(4, Entry::id);
        Entry first = new Entry(0);
        pending.add(first);
        pending.add(new Entry(1));

        assertSame(first, pending.remove(0));
        assertNull(pending.remove(0), "answered twice");
        assertNull(pending.remove(4), "never sent, though its slot is 0's");
        assertEquals(1, pending.size());
    }

    @Test
    void shouldKeepAnEntryWhoseSlotANewerIdTakes() {
        PendingAppends<Entry> pending = new PendingAppends<>(4, Entry::id);
        for (long id = 0; id < 10; id++) {
            pending.add(new Entry(id));
            if (id != 1 && id != 2) {
                pending.remove(id);
            }
        }
        pending.add(new Entry(10)); // 1 and 2 left their slots to 5 and 6, unanswered

        assertEquals(List.of(new Entry(1), new Entry(2), new Entry(10)), pending.inOrder());
        assertEquals(new Entry(2), pending.remove(2));
        assertEquals(List.of(new Entry(1)), pending.removeIf(e -> e.id() < 5));
        assertEquals(List.of(new Entry(10)), pending.inOrder());
        assertEquals(1, pending.size());
    }
}
