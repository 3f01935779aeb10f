package dev.indelible.ledger.internal;

import static dev.indelible.ledger.internal.EventIdIndex.CHUNK_LONGS;
import static dev.indelible.ledger.internal.EventIdIndex.EMPTY;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.LongConsumer;
import java.util.concurrent.atomic.AtomicReference;

/**
 * How an event id table is written in a checkpoint: per chunk of {@link EventIdIndex#CHUNK_LONGS}
 * longs, a bitmap of its filled slots, then their (fingerprint, address) pairs. Empty slots, half
 * or more of the table, are not written, and a load puts each pair back in its slot with no
 * rehashing. The first format wrote every slot ({@link #readDense}).
 *
 * <p>Thread-safe: no state but the {@link CopyBuffers} kept for reuse.
 */
final class EventIdTableFormat {
    private EventIdTableFormat() {
    }

    /**
     * Writes the slots holding addresses up to {@code lastAddress}, one chunk copied at a time by
     * {@code chunks}; fails, writing nothing more, unless there are {@code expected} of them.
     */
    static void writeSparse(DataOutput out, OffHeapLongs slots, ChunkedCopy.Runner chunks, long lastAddress,
                            int expected) throws IOException {
        CopyBuffers buffers = CopyBuffers.take();
        try {
            SparseCopy copy = new SparseCopy(out, slots, buffers, lastAddress);
            chunks.run(copy);
            if (copy.filled != expected) {
                throw new IOException("event id index: " + copy.filled + " ids up to address " + lastAddress
                    + ", expected " + expected + "; the checkpoint is not written");
            }
        } finally {
            CopyBuffers.SPARE.set(buffers);
        }
    }

    /** Copies a chunk of slots, then writes its bitmap and the pairs it holds. */
    private static final class SparseCopy implements ChunkedCopy {
        private final DataOutput out;
        private final OffHeapLongs slots;
        private final long[] chunk;
        private final long[] present;
        private final ByteBuffer bytes;
        private final long lastAddress;
        private long from;
        private int longs;
        private int filled;

        SparseCopy(DataOutput out, OffHeapLongs slots, CopyBuffers buffers, long lastAddress) {
            this.out = out;
            this.slots = slots;
            this.chunk = buffers.chunk;
            this.present = buffers.present;
            this.bytes = buffers.bytes;
            this.lastAddress = lastAddress;
        }

        @Override
        public boolean copyNext() {
            if (from >= slots.length()) {
                return false;
            }
            longs = (int) Math.min(CHUNK_LONGS, slots.length() - from);
            slots.copyTo(from, chunk, longs);
            from += longs;
            return true;
        }

        @Override
        public void useCopy() throws IOException {
            int words = longs / 2 / 64;
            Arrays.fill(present, 0, words, 0);
            bytes.clear().position(words * 8);
            for (int slot = 0; slot < longs / 2; slot++) {
                long fingerprint = chunk[2 * slot];
                long stored = chunk[2 * slot + 1];
                if (fingerprint != EMPTY && stored - 1 <= lastAddress) {
                    present[slot >>> 6] |= 1L << slot;
                    bytes.putLong(fingerprint).putLong(stored);
                    filled++;
                }
            }
            for (int w = 0; w < words; w++) {
                bytes.putLong(w * 8, present[w]);
            }
            out.write(bytes.array(), 0, bytes.position());
        }
    }

    /**
     * Writes every slot of {@code slots} from the sparse form, a chunk at a time: the chunk zeroed
     * in place, then each pair put in its slot, so the table's memory is written once and no copy
     * of it passes through the heap. {@code progress} is told each chunk's first index before it
     * is written. Returns how many slots were filled.
     */
    static long readSparse(DataInput in, OffHeapLongs slots, LongConsumer progress) throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate(CHUNK_LONGS * 8);
        long[] present = new long[CHUNK_LONGS / 2 / 64];
        long filled = 0;
        for (long from = 0; from < slots.length(); from += CHUNK_LONGS) {
            progress.accept(from);
            int longs = (int) Math.min(CHUNK_LONGS, slots.length() - from);
            int words = longs / 2 / 64;
            slots.clear(from, longs);
            in.readFully(bytes.array(), 0, words * 8);
            int inChunk = 0;
            for (int w = 0; w < words; w++) {
                present[w] = bytes.getLong(w * 8);
                inChunk += Long.bitCount(present[w]);
            }
            in.readFully(bytes.array(), 0, inChunk * 16);
            int pair = 0;
            for (int w = 0; w < words; w++) {
                for (long bits = present[w]; bits != 0; bits &= bits - 1) {
                    long slot = (w << 6) + Long.numberOfTrailingZeros(bits);
                    long fingerprint = bytes.getLong(pair * 16);
                    if (fingerprint == EMPTY) {
                        throw new IOException("corrupt event id index: an empty fingerprint marked filled");
                    }
                    slots.set(from + 2 * slot, fingerprint);
                    slots.set(from + 2 * slot + 1, bytes.getLong(pair * 16 + 8));
                    pair++;
                }
            }
            filled += inChunk;
        }
        return filled;
    }

    /** Fills {@code slots} from the first format, every slot written; returns how many were filled. */
    static long readDense(DataInput in, OffHeapLongs slots, LongConsumer progress) throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate(CHUNK_LONGS * 8);
        long filled = 0;
        for (long from = 0; from < slots.length(); from += CHUNK_LONGS) {
            progress.accept(from);
            int longs = (int) Math.min(CHUNK_LONGS, slots.length() - from);
            in.readFully(bytes.array(), 0, longs * 8);
            for (int i = 0; i < longs; i++) {
                long value = bytes.getLong(i * 8);
                slots.set(from + i, value);
                if (i % 2 == 0 && value != EMPTY) {
                    filled++;
                }
            }
        }
        return filled;
    }

    /**
     * The 1.5 MiB of buffers a checkpoint or a growth copies the table through, kept for the next
     * one: allocated afresh, they would be most of what the ledger allocates per event.
     */
    static final class CopyBuffers {
        static final AtomicReference<CopyBuffers> SPARE = new AtomicReference<>();
        final long[] chunk = new long[CHUNK_LONGS];
        final long[] present = new long[CHUNK_LONGS / 2 / 64];
        final ByteBuffer bytes = ByteBuffer.allocate(present.length * 8 + CHUNK_LONGS * 8);

        static CopyBuffers take() {
            CopyBuffers spare = SPARE.getAndSet(null);
            return spare != null ? spare : new CopyBuffers();
        }
    }
}
