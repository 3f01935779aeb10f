package dev.indelible.ledger.internal;

import dev.indelible.ledger.ExpectedVersion;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * Each stream's current version and the address of its last record: what expected-version checks
 * and stream reads need. One map entry per stream (about 150 bytes with a short name: 1 million
 * streams in about 150 MiB); the stream name is the caller's string, so an append to an existing
 * stream allocates nothing here.
 *
 * <p>Not thread-safe: guarded by the ledger's write lock.
 */
final class StreamIndex {
    /** Mutable so an append updates it in place. */
    static final class Head {
        long version;
        long lastAddress;

        Head(long version, long lastAddress) {
            this.version = version;
            this.lastAddress = lastAddress;
        }
    }

    private final Map<String, Head> heads;

    StreamIndex() {
        this(16);
    }

    private StreamIndex(int expectedStreams) {
        heads = new HashMap<>(Math.max(16, (int) (expectedStreams / 0.75f) + 1));
    }

    Head get(String stream) {
        return heads.get(stream);
    }

    /** The stream's version, or {@link ExpectedVersion#NO_STREAM}. */
    long version(String stream) {
        Head head = heads.get(stream);
        return head == null ? ExpectedVersion.NO_STREAM : head.version;
    }

    void advance(String stream, long lastVersion, long address) {
        Head head = heads.get(stream);
        if (head == null) {
            heads.put(stream, new Head(lastVersion, address));
        } else {
            head.version = lastVersion;
            head.lastAddress = address;
        }
    }

    int size() {
        return heads.size();
    }

    void writeTo(DataOutput out) throws IOException {
        out.writeInt(heads.size());
        for (Map.Entry<String, Head> e : heads.entrySet()) {
            out.writeUTF(e.getKey());
            out.writeLong(e.getValue().version);
            out.writeLong(e.getValue().lastAddress);
        }
    }

    static StreamIndex readFrom(DataInput in) throws IOException {
        int count = in.readInt();
        if (count < 0) {
            throw new IOException("corrupt stream index: " + count + " streams");
        }
        StreamIndex index = new StreamIndex(count);
        for (int i = 0; i < count; i++) {
            index.heads.put(in.readUTF(), new Head(in.readLong(), in.readLong()));
        }
        return index;
    }
}
