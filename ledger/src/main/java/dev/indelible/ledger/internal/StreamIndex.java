package dev.indelible.ledger.internal;

import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.Operations;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;

/**
 * Each stream's current version and the address of its last record: what expected-version checks
 * and stream reads need. One map entry per stream (about 170 bytes with a short name: 1 million
 * streams in about 170 MiB); the stream name is the caller's string, so an append to an existing
 * stream allocates nothing here.
 *
 * <p>A {@link Snapshot} is written while appends go on: while one is open, a head keeps its value
 * as of the snapshot before it first changes, and a stream created since is marked so.
 *
 * <p>Not thread-safe: guarded by the ledger's write lock. The map is concurrent only so that a
 * snapshot's iterator survives the puts between its chunks.
 */
final class StreamIndex implements AppendDecision.Versions {
    /** Mutable so an append updates it in place. */
    static final class Head {
        long version;
        long lastAddress;
        /** The snapshot whose values follow (0: none); its version is {@link #ABSENT} for a stream created since. */
        int snapshotEpoch;
        long snapshotVersion;
        long snapshotAddress;

        Head(long version, long lastAddress) {
            this.version = version;
            this.lastAddress = lastAddress;
        }
    }

    private static final long ABSENT = Long.MIN_VALUE;
    /** Heads read per lock hold by a snapshot. */
    private static final int CHUNK = 4096;

    private final Map<String, Head> heads;
    /** The audit streams ({@code ops-*}) among them, by name: a few, listed without a walk over every head. */
    private final NavigableSet<String> auditStreams = new ConcurrentSkipListSet<>();
    /** The open snapshot's epoch, 0 while none is open. */
    private int openEpoch;
    private int lastEpoch;

    StreamIndex() {
        this(16);
    }

    private StreamIndex(int expectedStreams) {
        heads = new ConcurrentHashMap<>(Math.max(16, expectedStreams));
    }

    Head get(String stream) {
        return heads.get(stream);
    }

    /** The stream's version, or {@link ExpectedVersion#NO_STREAM}. */
    @Override
    public long version(String stream) {
        Head head = heads.get(stream);
        return head == null ? ExpectedVersion.NO_STREAM : head.version;
    }

    void advance(String stream, long lastVersion, long address) {
        Head head = heads.get(stream);
        if (head == null) {
            head = new Head(lastVersion, address);
            if (openEpoch != 0) {
                head.snapshotEpoch = openEpoch;
                head.snapshotVersion = ABSENT;
            }
            heads.put(stream, head);
            noteAudit(stream);
        } else {
            if (openEpoch != 0 && head.snapshotEpoch != openEpoch) {
                head.snapshotEpoch = openEpoch;
                head.snapshotVersion = head.version;
                head.snapshotAddress = head.lastAddress;
            }
            head.version = lastVersion;
            head.lastAddress = address;
        }
    }

    private void noteAudit(String stream) {
        if (stream.startsWith(Operations.STREAM_PREFIX)) {
            auditStreams.add(stream);
        }
    }

    List<String> auditStreams() {
        return List.copyOf(auditStreams);
    }

    int size() {
        return heads.size();
    }

    /** Under the lock: opens a snapshot of every head as it is now; {@link #close} it under the lock too. */
    Snapshot snapshot() {
        lastEpoch = lastEpoch == Integer.MAX_VALUE ? 1 : lastEpoch + 1;
        openEpoch = lastEpoch;
        return new Snapshot(openEpoch, heads.size());
    }

    /** Writes the index as it is (no appends may run): for tests and tools. */
    void writeTo(DataOutput out) throws IOException {
        try (Snapshot snapshot = snapshot()) {
            snapshot.writeTo(out, ChunkedCopy::runAlone);
        }
    }

    /** The heads as of one moment. */
    final class Snapshot implements AutoCloseable {
        private final int epoch;
        private final int count;

        private Snapshot(int epoch, int count) {
            this.epoch = epoch;
            this.count = count;
        }

        /** Writes the count, then each head, {@value #CHUNK} heads copied at a time by {@code chunks}. */
        void writeTo(DataOutput out, ChunkedCopy.Runner chunks) throws IOException {
            out.writeInt(count);
            HeadCopy copy = new HeadCopy(out);
            chunks.run(copy);
            if (copy.written != count) {
                throw new IOException("stream index: " + copy.written + " streams, expected " + count
                    + "; the checkpoint is not written");
            }
        }

        /** Copies heads as of the snapshot: a head changed since keeps its value for it. */
        private final class HeadCopy implements ChunkedCopy {
            private final DataOutput out;
            private final Iterator<Map.Entry<String, Head>> entries = heads.entrySet().iterator();
            private final String[] names = new String[CHUNK];
            private final long[] versions = new long[CHUNK];
            private final long[] addresses = new long[CHUNK];
            private int copied;
            private int written;
            private boolean more = true;

            HeadCopy(DataOutput out) {
                this.out = out;
            }

            @Override
            public boolean copyNext() {
                if (!more) {
                    return false;
                }
                copied = 0;
                for (int visited = 0; visited < CHUNK && (more = entries.hasNext()); visited++) {
                    Map.Entry<String, Head> e = entries.next();
                    Head head = e.getValue();
                    boolean changed = head.snapshotEpoch == epoch;
                    if (changed && head.snapshotVersion == ABSENT) {
                        continue;
                    }
                    names[copied] = e.getKey();
                    versions[copied] = changed ? head.snapshotVersion : head.version;
                    addresses[copied] = changed ? head.snapshotAddress : head.lastAddress;
                    copied++;
                }
                return true;
            }

            @Override
            public void useCopy() throws IOException {
                for (int i = 0; i < copied; i++) {
                    out.writeUTF(names[i]);
                    out.writeLong(versions[i]);
                    out.writeLong(addresses[i]);
                }
                written += copied;
            }
        }

        /** Under the lock: heads stop keeping values for this snapshot. */
        @Override
        public void close() {
            if (openEpoch == epoch) {
                openEpoch = 0;
            }
        }
    }

    static StreamIndex readFrom(DataInput in) throws IOException {
        int count = in.readInt();
        if (count < 0) {
            throw new IOException("corrupt stream index: " + count + " streams");
        }
        StreamIndex index = new StreamIndex(count);
        for (int i = 0; i < count; i++) {
            String stream = in.readUTF();
            index.heads.put(stream, new Head(in.readLong(), in.readLong()));
            index.noteAudit(stream);
        }
        return index;
    }
}
