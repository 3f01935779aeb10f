package dev.indelible.ledger.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class EventIdIndexTest {

    @Test
    void shouldFindEveryAddressAfterGrowingFarPastItsInitialCapacity() {
        EventIdIndex index = new EventIdIndex();
        for (long i = 0; i < 100_000; i++) {
            index.put(EventIdIndex.fingerprint(i, ~i), i * 3);
        }

        for (long i = 0; i < 100_000; i++) {
            long expected = i * 3;
            assertEquals(expected, index.find(EventIdIndex.fingerprint(i, ~i), a -> a == expected));
        }
        assertEquals(100_000, index.size());
    }

    @Test
    void shouldOfferEveryCandidateWhenTwoIdsShareAFingerprint() {
        EventIdIndex index = new EventIdIndex();
        long shared = EventIdIndex.fingerprint(7, 7);
        index.put(shared, 100);
        index.put(shared, 200);

        assertEquals(200, index.find(shared, a -> a == 200), "the second candidate must be reachable");
        assertEquals(100, index.find(shared, a -> a == 100));
        assertEquals(-1, index.find(shared, a -> false), "no candidate confirmed: not present");
    }

    @Test
    void shouldAnswerMissingForAnUnknownFingerprint() {
        EventIdIndex index = new EventIdIndex();
        index.put(EventIdIndex.fingerprint(1, 2), 5);

        assertEquals(-1, index.find(EventIdIndex.fingerprint(2, 1), a -> true));
    }

    @Test
    void shouldRoundTripThroughItsCheckpointForm() throws IOException {
        EventIdIndex index = new EventIdIndex();
        for (long i = 0; i < 5_000; i++) {
            index.put(EventIdIndex.fingerprint(i, i * 31), i);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        index.writeTo(new DataOutputStream(bytes));

        EventIdIndex loaded = EventIdIndex.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));

        assertEquals(5_000, loaded.size());
        for (long i = 0; i < 5_000; i++) {
            long expected = i;
            assertEquals(expected, loaded.find(EventIdIndex.fingerprint(i, i * 31), a -> a == expected));
        }
    }
}
