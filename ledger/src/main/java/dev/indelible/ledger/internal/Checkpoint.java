package dev.indelible.ledger.internal;

import dev.indelible.ledger.AtomicFile;
import dev.indelible.ledger.DaemonThreads;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;

/**
 * Saves and loads {@link LedgerState} ({@link CheckpointLayout}) so a reopen scans only the journal's tail. The file is a
 * cache, never the truth: it is written to a temp file, forced, renamed over the old one and the
 * directory forced (RocksDB's CURRENT pattern), carries its own CRC32C, and the ledger checks it
 * against the journal before trusting it.
 *
 * <p>Thread-safe: several processes may write checkpoints; the last rename wins, and each is whole.
 * One thread loads ({@link #load}), once.
 */
final class Checkpoint {
    static final String FILE_NAME = "ledger-state.ckpt";

    private final Path file;
    /** The state being read on another thread ({@link #loading}), until {@link #load} takes it. */
    private FutureTask<LedgerState> reading;

    Checkpoint(Path dir) {
        this.file = dir.resolve(FILE_NAME);
    }

    /**
     * The checkpoint in {@code dir}, read from now on by a thread of its own; {@link #load} waits for
     * it. In a new process, reading the checkpoint and starting the journal (Chronicle's classes
     * loaded, its files mapped) take about as long each, and need nothing of each other.
     */
    static Checkpoint loading(Path dir) {
        Checkpoint checkpoint = new Checkpoint(dir);
        checkpoint.reading = new FutureTask<>(checkpoint::read);
        DaemonThreads.start("indelible-checkpoint-load", checkpoint.reading);
        return checkpoint;
    }

    /** Frees what {@link #loading} read, for an open that failed before it used it. */
    void discard() {
        LedgerState state = reading != null ? take() : null;
        if (state != null) {
            state.close();
        }
    }

    /**
     * Replaces the checkpoint with {@code state} ({@link AtomicFile}), each chunk of an index copied
     * by {@code chunks}; returns the new checkpoint's size in bytes.
     */
    long write(LedgerState.Snapshot state, ChunkedCopy.Runner chunks) throws IOException {
        AtomicFile.write(file, raw -> {
            CRC32C crc = new CRC32C();
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(new CheckedOutputStream(raw, crc), 1 << 16));
            out.writeLong(CheckpointLayout.MAGIC);
            state.writeTo(out, chunks);
            out.flush();
            new DataOutputStream(raw).writeLong(crc.getValue());
            raw.flush();
            KillPoints.reach(KillPoints.CHECKPOINT_WRITE);
        });
        return Files.size(file);
    }

    /** The current checkpoint's size in bytes; 0 when there is none. */
    long size() {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * The saved state, or null when there is none or it is damaged (the caller then scans the
     * journal); waits for the read {@link #loading} started, without giving way to an interrupt,
     * so the state it holds is never left behind. Damage and I/O errors are both a null.
     */
    LedgerState load() throws IOException {
        return take();
    }

    private LedgerState take() {
        FutureTask<LedgerState> task = reading;
        if (task == null) {
            return read();
        }
        reading = null;
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return task.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof Error error) {
                        throw error;
                    }
                    return null; // read returns null for what it can say no more about
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private LedgerState read() {
        AtomicFile.removeAbandonedTemps(file); // a temp as large as the indexes, from a writer killed mid-checkpoint
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) { // none, or none this process may read: the journal is scanned
            return null;
        }
        if (size < 8 + CheckpointLayout.TRAILER_LENGTH) {
            return null;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            // Checked whole before any size in it is believed: a damaged one could ask for gigabytes.
            if (!checksumMatches(channel, size)) {
                return null;
            }
            channel.position(0);
            InputStream body = new BoundedInputStream(Channels.newInputStream(channel), size - CheckpointLayout.TRAILER_LENGTH);
            DataInputStream in = new DataInputStream(new BufferedInputStream(body, 1 << 16));
            long magic = in.readLong();
            if (magic != CheckpointLayout.MAGIC && magic != CheckpointLayout.MAGIC_DENSE_IDS) {
                return null;
            }
            LedgerState state = LedgerState.readFrom(in, magic == CheckpointLayout.MAGIC_DENSE_IDS);
            if (in.read() != -1) {
                state.close();
                return null;
            }
            return state;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Whether the CRC32C at the end of the file matches the bytes before it. */
    private static boolean checksumMatches(FileChannel channel, long size) throws IOException {
        CRC32C crc = new CRC32C();
        ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
        long position = 0;
        while (position < size - CheckpointLayout.TRAILER_LENGTH) {
            buffer.clear().limit((int) Math.min(buffer.capacity(), size - CheckpointLayout.TRAILER_LENGTH - position));
            int n = channel.read(buffer, position);
            if (n < 0) {
                return false;
            }
            position += n;
            crc.update(buffer.flip());
        }
        ByteBuffer stored = ByteBuffer.allocate(8);
        while (stored.hasRemaining()) {
            if (channel.read(stored, size - CheckpointLayout.TRAILER_LENGTH + stored.position()) < 0) {
                return false;
            }
        }
        return stored.getLong(0) == crc.getValue();
    }

    /** Reads at most {@code limit} bytes, so the trailing CRC is not part of the checked body. */
    private static final class BoundedInputStream extends FilterInputStream {
        private long remaining;

        BoundedInputStream(InputStream in, long limit) {
            super(in);
            this.remaining = limit;
        }

        @Override
        public int read() throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int b = super.read();
            if (b >= 0) {
                remaining--;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int n = super.read(b, off, (int) Math.min(len, remaining));
            if (n > 0) {
                remaining -= n;
            }
            return n;
        }
    }
}
