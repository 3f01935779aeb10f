package dev.indelible.ledger.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class SeqIndexTest {
    /** Records of 3 events each at address 1000 + firstSeq: entries land every SPACING events or so. */
    private static final int EVENTS = 3 * SeqIndex.SPACING * SeqIndex.CHUNK * 2 + 7 * 3;

    @Test
    void shouldFindTheRecordAtOrBeforeAnySeqAcrossChunks() {
        SeqIndex index = filled(EVENTS);

        assertEquals(-1, index.floor(-1));
        for (long seq = 0; seq < EVENTS; seq += 97) {
            assertFloorIsAtMostOneBlockBelow(index, seq);
        }
        assertFloorIsAtMostOneBlockBelow(index, EVENTS - 1);
        assertEquals(index.floor(EVENTS - 1), index.floor(Long.MAX_VALUE));
    }

    @Test
    void shouldKeepASnapshotAsItWasWhileAddsGoOn() throws IOException {
        SeqIndex index = new SeqIndex();
        long next = fill(index, 0, SeqIndex.SPACING * (SeqIndex.CHUNK + 10L));
        SeqIndex.Snapshot snapshot = index.snapshot();
        byte[] before = bytes(snapshot);

        fill(index, next, 3L * SeqIndex.SPACING * SeqIndex.CHUNK);

        assertTrue(snapshot.size() % SeqIndex.CHUNK != 0, "the snapshot shares a chunk the index goes on filling");
        assertArrayEquals(before, bytes(snapshot));
        assertTrue(index.snapshot().size() > 2 * SeqIndex.CHUNK);
    }

    @Test
    void shouldReadBackWhatItWrote() throws IOException {
        SeqIndex index = filled(EVENTS);

        SeqIndex read = SeqIndex.readFrom(new DataInputStream(new ByteArrayInputStream(bytes(index.snapshot()))));

        fill(index, EVENTS, EVENTS + 1000);
        fill(read, EVENTS, EVENTS + 1000);
        for (long seq = 0; seq < EVENTS + 1000; seq += 89) {
            assertEquals(index.floor(seq), read.floor(seq));
        }
    }

    private static void assertFloorIsAtMostOneBlockBelow(SeqIndex index, long seq) {
        long firstSeqOfRecord = index.floor(seq) - 1000;
        long recordOfSeq = seq - seq % 3;
        assertEquals(0, firstSeqOfRecord % 3, "an entry names the start of a record");
        assertTrue(firstSeqOfRecord <= recordOfSeq && recordOfSeq - firstSeqOfRecord < SeqIndex.SPACING + 3,
            "floor(" + seq + ") = record at " + firstSeqOfRecord);
    }

    private static SeqIndex filled(long events) {
        SeqIndex index = new SeqIndex();
        fill(index, 0, events);
        return index;
    }

    /** Adds records of 3 events from {@code from} while they start below {@code to}; returns the next seq. */
    private static long fill(SeqIndex index, long from, long to) {
        long seq = from;
        for (; seq < to; seq += 3) {
            index.add(seq, 3, 1000 + seq);
        }
        return seq;
    }

    private static byte[] bytes(SeqIndex.Snapshot snapshot) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        snapshot.writeTo(new DataOutputStream(bytes));
        return bytes.toByteArray();
    }
}
