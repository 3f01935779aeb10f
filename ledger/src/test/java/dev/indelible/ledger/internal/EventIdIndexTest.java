package dev.indelible.ledger.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.concurrent.locks.ReentrantLock;
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

    /** A load writes every slot, empty ones as zeros, into memory it does not zero first: nothing old shows through. */
    @Test
    void shouldLoadEmptySlotsAsEmptyWhateverTheMemoryHeldBefore() throws IOException {
        EventIdIndex index = new EventIdIndex();
        for (long i = 0; i < 600; i++) {
            index.put(EventIdIndex.fingerprint(i, 7), i);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        index.writeTo(new DataOutputStream(bytes));
        long slotLongs = index.tableBytes() / Long.BYTES;
        for (int round = 0; round < 3; round++) {
            OffHeapLongs dirty = new OffHeapLongs(slotLongs); // freed memory of this size is what malloc hands out next
            for (long i = 0; i < slotLongs; i++) {
                dirty.set(i, 0x5555_5555_5555_5555L + i);
            }
            dirty.free();

            EventIdIndex loaded = EventIdIndex.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));

            assertEquals(600, loaded.filledSlots(), "every slot without an id loaded empty");
            assertEquals(-1, loaded.find(EventIdIndex.fingerprint(600, 7), a -> true));
            loaded.close();
        }
        index.close();
    }

    /**
     * A table large enough that a load faults its memory in on a second thread while it writes
     * the slots ({@link OffHeapLongs#prefaultFromEnd}) loads slot for slot as it was saved.
     */
    @Test
    void shouldLoadATablePrefaultedOnAnotherThreadSlotForSlot() throws IOException {
        EventIdIndex index = new EventIdIndex();
        for (long i = 0; i < 900_000; i++) { // a 2Mi-slot table: 32 MiB
            index.put(EventIdIndex.fingerprint(i, i ^ 0x5DEECE66DL), i);
        }
        assertTrue(index.tableBytes() >= OffHeapLongs.PREFAULT_MIN_BYTES, "table of " + index.tableBytes() + " bytes");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        index.writeTo(new DataOutputStream(bytes));

        EventIdIndex loaded = EventIdIndex.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));

        assertEquals(index.size(), loaded.size());
        OffHeapLongs saved = index.table();
        OffHeapLongs read = loaded.table();
        assertEquals(saved.length(), read.length());
        for (long i = 0; i < saved.length(); i++) {
            if (saved.get(i) != read.get(i)) {
                assertEquals(saved.get(i), read.get(i), "long " + i + " of " + saved.length());
            }
        }
        loaded.close();
        index.close();
    }

    /** Only filled slots are written: a bitmap per chunk and 16 bytes per id, not 16 per slot. */
    @Test
    void shouldWriteOnlyTheFilledSlotsAcrossChunks() throws IOException {
        EventIdIndex index = new EventIdIndex();
        int ids = 200_000; // a 512Ki-slot table: 16 chunks
        for (long i = 0; i < ids; i++) {
            index.put(EventIdIndex.fingerprint(i, ~i), i);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        index.writeTo(new DataOutputStream(bytes));

        long slots = index.tableBytes() / 16;
        assertEquals(8 + slots / 8 + 16L * ids, bytes.size(), "header, one bit per slot, 16 bytes per id");
        EventIdIndex loaded = EventIdIndex.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        assertEquals(index.tableBytes(), loaded.tableBytes(), "same capacity, so the same slots");
        for (long i = 0; i < ids; i++) {
            long expected = i;
            assertEquals(expected, loaded.find(EventIdIndex.fingerprint(i, ~i), a -> a == expected), "id " + i);
        }
        loaded.close();
        index.close();
    }

    /** Checkpoints written before the sparse form, every slot dense, still load. */
    @Test
    void shouldLoadTheDenseFormOfTheFirstCheckpoints() throws IOException {
        int capacity = 1 << 10;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(capacity);
        out.writeInt(2);
        long[] slots = new long[capacity * 2];
        slots[2 * 77] = 77; // fingerprint 77 in its home slot 77, record address 40 stored as 41
        slots[2 * 77 + 1] = 41;
        slots[2 * 99] = 99;
        slots[2 * 99 + 1] = 8;
        for (long slot : slots) {
            out.writeLong(slot);
        }

        EventIdIndex loaded = EventIdIndex.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())), true);

        assertEquals(2, loaded.size());
        assertEquals(40, loaded.find(77, a -> true));
        assertEquals(7, loaded.find(99, a -> true));
        loaded.close();
    }

    @Test
    void shouldKeepEveryIdPutBetweenTheChunksOfABackgroundGrowth() {
        EventIdIndex index = new EventIdIndex();
        PuttingLock lock = new PuttingLock(index, 1_000);
        lock.putWithoutGrowth(EventIdIndex.BACKGROUND_GROWTH_CAPACITY / 2);
        assertFalse(index.growthDue(), "half full is not due yet");
        lock.putWithoutGrowth(EventIdIndex.BACKGROUND_GROWTH_CAPACITY / 8);
        long before = index.tableBytes();
        OffHeapLongs old = index.table();

        assertTrue(index.growthDue(), "a large table 5/8 full is due to grow");
        assertTrue(Checkpointer.grow(index, lock));

        assertEquals(2 * before, index.tableBytes(), "twice the slots");
        assertTrue(old.isFreed(), "the old table is freed once replaced");
        assertTrue(lock.put > EventIdIndex.BACKGROUND_GROWTH_CAPACITY * 5 / 8 + 4_000, "puts ran between the chunks");
        lock.assertAllFound();
        assertFalse(index.growthDue(), "5/16 full after the growth");
    }

    @Test
    void shouldGiveWayWhenAPutDoublesTheTableBeforeTheBackgroundGrowthEnds() {
        EventIdIndex index = new EventIdIndex();
        // Enough puts per chunk to fill the table to 3/4 before the growth copies its second chunk.
        PuttingLock lock = new PuttingLock(index, EventIdIndex.BACKGROUND_GROWTH_CAPACITY / 16);
        lock.putWithoutGrowth(EventIdIndex.BACKGROUND_GROWTH_CAPACITY * 5 / 8);
        long before = index.tableBytes();
        OffHeapLongs old = index.table();

        assertFalse(Checkpointer.grow(index, lock), "the put's own growth came first");

        lock.assertAllFound();
        assertEquals(2 * before, index.tableBytes(), "doubled once, by the put");
        assertTrue(old.isFreed(), "the table the put replaced is freed");
        index.close();
    }

    @Test
    void shouldFreeAReplacedTableOnlyOnceNoSnapshotReadsIt() throws IOException {
        EventIdIndex index = new EventIdIndex();
        for (long i = 0; i < 700; i++) {
            index.put(EventIdIndex.fingerprint(i, ~i), i);
        }
        OffHeapLongs first = index.table();
        EventIdIndex.Snapshot snapshot = index.snapshot(699);
        for (long i = 700; i < 2_000; i++) {
            index.put(EventIdIndex.fingerprint(i, ~i), i);
        }
        assertNotSame(first, index.table(), "the puts doubled the table");
        assertFalse(first.isFreed(), "the snapshot still reads the old table");

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        snapshot.writeTo(new DataOutputStream(bytes), ChunkedCopy::runAlone);
        snapshot.close();
        assertTrue(first.isFreed(), "freed once the snapshot let it go");
        EventIdIndex loaded = EventIdIndex.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        assertEquals(700, loaded.size(), "the snapshot holds the table as it was");

        OffHeapLongs current = index.table();
        EventIdIndex.Snapshot late = index.snapshot(Long.MAX_VALUE);
        index.close();
        assertFalse(current.isFreed(), "a snapshot taken before the close still reads the table");
        late.close();
        assertTrue(current.isFreed());
        loaded.close();
    }

    @Test
    void shouldNotGrowInTheBackgroundBeforeItIsDue() {
        EventIdIndex index = new EventIdIndex();
        index.put(EventIdIndex.fingerprint(1, 1), 0);

        assertFalse(index.growthDue(), "a small table grows at once when full");
        assertFalse(Checkpointer.grow(index, new ReentrantLock()));
    }

    /** Puts {@code perLock} new ids every time the lock is taken, as appenders would between chunks. */
    private static final class PuttingLock extends ReentrantLock {
        private final EventIdIndex index;
        private final int perLock;
        long put;

        PuttingLock(EventIdIndex index, int perLock) {
            this.index = index;
            this.perLock = perLock;
        }

        void putWithoutGrowth(long count) {
            for (long i = 0; i < count; i++) {
                index.put(EventIdIndex.fingerprint(put, ~put), put * 7);
                put++;
            }
        }

        @Override
        public void lock() {
            putWithoutGrowth(perLock);
            super.lock();
        }

        void assertAllFound() {
            for (long i = 0; i < put; i++) {
                long expected = i * 7;
                assertEquals(expected, index.find(EventIdIndex.fingerprint(i, ~i), a -> a == expected), "id " + i);
            }
            assertEquals(put, index.size());
        }
    }
}
