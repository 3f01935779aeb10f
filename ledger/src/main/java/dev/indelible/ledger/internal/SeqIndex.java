package dev.indelible.ledger.internal;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

/**
 * A sparse map from {@code global_seq} to journal address: one entry per {@value #SPACING}
 * events, so a read from any position seeks to the entry below it and scans at most that many
 * events. 10 million events take about 1.25 MiB.
 *
 * <p>Entries live in fixed chunks that are only ever appended to, so growing never copies one and
 * a {@link #snapshot} shares them: the append path and checkpoints leave no garbage behind. The
 * chunks are off the heap ({@link OffHeapLongs}), as the id table is: an index that grows with
 * the journal neither counts against {@code -Xmx} nor is allocated on the appending thread's heap
 * (a 64 KiB chunk every 524,288 events was the last eighth of a byte a receipt append allocated).
 * A chunk is freed once neither the index nor a snapshot holds it.
 *
 * <p>Thread-safe: the writer adds while readers look up.
 */
final class SeqIndex {
    static final int SPACING = 128;
    /** Entries per chunk: a chunk (seq and address pairs) is 64 KiB and covers 524,288 events. */
    static final int CHUNK = 4096;

    private OffHeapLongs[] chunks = new OffHeapLongs[8];
    private int size;
    private long nextSample;

    /** Notes a record holding events {@code firstSeq ..} at {@code address}, if it starts a new block. */
    synchronized void add(long firstSeq, int count, long address) {
        if (firstSeq + count <= nextSample) {
            return;
        }
        append(firstSeq, address);
        nextSample = ((firstSeq + count - 1) / SPACING + 1) * SPACING;
    }

    private void append(long seq, long address) {
        int chunk = size / CHUNK;
        if (chunk == chunks.length) {
            chunks = Arrays.copyOf(chunks, chunk * 2);
        }
        if (chunks[chunk] == null) {
            chunks[chunk] = new OffHeapLongs(2 * CHUNK);
        }
        int at = 2 * (size % CHUNK);
        chunks[chunk].set(at, seq);
        chunks[chunk].set(at + 1, address);
        size++;
    }

    /** The address of a record at or before the one holding {@code seq}, or -1 for the start. */
    synchronized long floor(long seq) {
        int low = 0;
        int high = size - 1;
        while (low <= high) { // the last entry whose seq is at most seq
            int mid = (low + high) >>> 1;
            if (seqAt(chunks, mid) <= seq) {
                low = mid + 1;
            } else {
                high = mid - 1;
            }
        }
        return high < 0 ? -1 : addressAt(chunks, high);
    }

    private static long seqAt(OffHeapLongs[] chunks, int i) {
        return chunks[i / CHUNK].get(2 * (i % CHUNK));
    }

    private static long addressAt(OffHeapLongs[] chunks, int i) {
        return chunks[i / CHUNK].get(2 * (i % CHUNK) + 1);
    }

    /**
     * The index as of now, to be written while adds go on; shares the chunks, whose entries below
     * {@code size} never change.
     */
    synchronized Snapshot snapshot() {
        return new Snapshot(chunks.clone(), size, nextSample);
    }

    /** A read-only view of the entries an index held at one moment. */
    record Snapshot(OffHeapLongs[] chunks, int size, long nextSample) {
        void writeTo(DataOutput out) throws IOException {
            out.writeInt(size);
            out.writeLong(nextSample);
            for (int i = 0; i < size; i++) {
                out.writeLong(seqAt(chunks, i));
                out.writeLong(addressAt(chunks, i));
            }
        }
    }

    static SeqIndex readFrom(DataInput in) throws IOException {
        SeqIndex index = new SeqIndex();
        int count = in.readInt();
        if (count < 0) {
            throw new IOException("corrupt sequence index: " + count + " entries");
        }
        index.nextSample = in.readLong();
        for (int i = 0; i < count; i++) {
            index.append(in.readLong(), in.readLong());
        }
        return index;
    }
}
