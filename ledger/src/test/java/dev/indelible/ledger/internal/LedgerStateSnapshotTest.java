package dev.indelible.ledger.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;

/**
 * A checkpoint is written while appends go on, taking the lock only per chunk: what it writes must
 * be the state as of its snapshot, byte for byte, however much is appended between the chunks.
 */
class LedgerStateSnapshotTest {
    private static final int STREAMS = 5_000;

    @Test
    void shouldWriteTheStateAsOfTheSnapshotWhileAppendsChangeItBetweenChunks() throws IOException {
        int before = 60_000;
        LedgerState live = new LedgerState();
        Appender appender = new Appender(live);
        appender.append(before);
        long capacityAtSnapshot = live.eventIds().tableBytes();

        LedgerState.Snapshot snapshot = live.snapshot();
        // Between every chunk the lock is taken for, appends change heads, create streams and grow the id table.
        AppendingLock lock = new AppendingLock(appender, 20_000);
        byte[] written = write(snapshot, lock);
        snapshot.close();

        assertTrue(lock.appended > 100_000, "appends ran between the chunks: " + lock.appended);
        assertTrue(live.eventIds().tableBytes() > capacityAtSnapshot, "the id table grew while the snapshot was written");
        LedgerState reference = new LedgerState();
        new Appender(reference).append(before);
        LedgerState.Snapshot referenceSnapshot = reference.snapshot();
        byte[] expected = write(referenceSnapshot, new ReentrantLock());
        referenceSnapshot.close();

        LedgerState loaded = read(written);
        LedgerState loadedReference = read(expected);
        assertEquals(loadedReference.nextSeq(), loaded.nextSeq());
        assertEquals(loadedReference.lastCrc(), loaded.lastCrc());
        assertEquals(loadedReference.lastAddress(), loaded.lastAddress());
        assertEquals(STREAMS, loaded.streams().size(), "streams created after the snapshot are not in it");
        for (int s = 0; s < STREAMS + 4_000; s++) {
            StreamIndex.Head want = loadedReference.streams().get("s" + s);
            StreamIndex.Head got = loaded.streams().get("s" + s);
            if (want == null) {
                assertNull(got, "s" + s + " was created after the snapshot");
            } else {
                assertEquals(want.version, got.version, "version of s" + s);
                assertEquals(want.lastAddress, got.lastAddress, "last address of s" + s);
            }
        }
        assertArrayEquals(bytesOf(loadedReference.eventIds()), bytesOf(loaded.eventIds()), "the id table, slot for slot");
        assertEquals(before, loaded.eventIds().size());
    }

    @Test
    void shouldStopKeepingOldValuesOnceTheSnapshotIsClosed() throws IOException {
        LedgerState live = new LedgerState();
        Appender appender = new Appender(live);
        appender.append(10_000);
        LedgerState.Snapshot first = live.snapshot();
        first.close();
        appender.append(10_000);

        LedgerState.Snapshot second = live.snapshot();
        LedgerState loaded = read(write(second, new ReentrantLock()));
        second.close();

        assertEquals(20_000, loaded.nextSeq());
        assertEquals(STREAMS, loaded.streams().size());
        assertEquals(live.streams().get("s7").version, loaded.streams().get("s7").version,
            "a head changed after the first snapshot closed is written as it is now");
    }

    private static byte[] write(LedgerState.Snapshot snapshot, java.util.concurrent.locks.Lock lock) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        snapshot.writeTo(new DataOutputStream(bytes), Checkpointer.underLock(lock));
        return bytes.toByteArray();
    }

    private static LedgerState read(byte[] bytes) throws IOException {
        return LedgerState.readFrom(new DataInputStream(new ByteArrayInputStream(bytes)));
    }

    private static byte[] bytesOf(EventIdIndex index) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        index.writeTo(new DataOutputStream(bytes));
        return bytes.toByteArray();
    }

    /** One event per record, addresses rising as in a journal; the first {@value #STREAMS} streams, then half to new ones. */
    private static final class Appender {
        private final LedgerState state;
        private long seq;

        Appender(LedgerState state) {
            this.state = state;
        }

        void append(int events) {
            for (int i = 0; i < events; i++) {
                long address = 1_000 + seq * 3;
                int stream = seq < 60_000 || seq % 2 == 0 ? (int) (seq % STREAMS) : STREAMS + (int) (seq / 2 % 4_000);
                StreamIndex.Head head = state.streams().get("s" + stream);
                state.eventIds().put(EventIdIndex.fingerprint(seq, ~seq), address);
                state.streams().advance("s" + stream, head == null ? 0 : head.version + 1, address);
                state.advance(seq, 1, (int) seq * 31, address);
                seq++;
            }
        }
    }

    /** The ledger's lock as a checkpoint sees it: appenders got in before each chunk. */
    private static final class AppendingLock extends ReentrantLock {
        private final Appender appender;
        private final int perChunk;
        int appended;

        AppendingLock(Appender appender, int perChunk) {
            this.appender = appender;
            this.perChunk = perChunk;
        }

        @Override
        public void lock() {
            appender.append(perChunk);
            appended += perChunk;
            super.lock();
        }
    }
}
