package dev.indelible.ledger.internal;

import dev.indelible.ledger.spi.Journal;
import dev.indelible.ledger.spi.JournalCursor;
import dev.indelible.ledger.spi.RecordBuffer;
import dev.indelible.ledger.spi.WriteTransaction;
import java.io.IOException;
import java.util.Arrays;

/**
 * One process's view of a {@link SimulatedDisk}, behind the {@link Journal} SPI the real ledger
 * writes through. Like {@code ChronicleJournal}, a sync forces only when this process wrote, or
 * read with a writer cursor, since its last sync. The process can be made to crash at its n-th journal call: that call (a write)
 * still reaches the page cache, and every later one fails.
 *
 * <p>Thread-safe (the disk's monitor).
 */
final class SimulatedJournal implements Journal {
    private final SimulatedDisk disk;
    private final long crashAtCall;
    private long calls;
    private boolean touchedSinceSync;
    private boolean crashed;

    /** {@code crashAtCall < 0}: never crashes. */
    SimulatedJournal(SimulatedDisk disk, long crashAtCall) {
        this.disk = disk;
        this.crashAtCall = crashAtCall;
    }

    @Override
    public long write(WriteTransaction transaction) throws IOException {
        synchronized (disk) {
            alive();
            byte[][] record = {null};
            transaction.run((data, offset, length) -> record[0] = Arrays.copyOfRange(data, offset, offset + length));
            if (record[0] == null) {
                return -1;
            }
            long address = disk.write(record[0]);
            touchedSinceSync = true;
            crashIfDue();
            return address;
        }
    }

    @Override
    public void sync() throws IOException {
        synchronized (disk) {
            alive();
            crashIfDue();
            if (touchedSinceSync) {
                disk.sync();
                touchedSinceSync = false;
            }
        }
    }

    /** True once the process crashed. */
    boolean crashed() {
        synchronized (disk) {
            return crashed;
        }
    }

    /** Crashes the process now: every later call fails. */
    void crashNow() {
        synchronized (disk) {
            crashed = true;
        }
    }

    private void alive() throws IOException {
        if (crashed) {
            throw new IOException("simulated process crash");
        }
    }

    private void crashIfDue() throws IOException {
        if (crashAtCall >= 0 && ++calls > crashAtCall) {
            crashed = true;
            throw new IOException("simulated process crash");
        }
    }

    @Override
    public JournalCursor openCursor() {
        return new Cursor(false);
    }

    @Override
    public JournalCursor openWriterCursor() {
        return new Cursor(true);
    }

    @Override
    public String describe() {
        return "simulated journal";
    }

    @Override
    public void close() {
    }

    private final class Cursor implements JournalCursor {
        private final boolean writer;
        private int next;

        Cursor(boolean writer) {
            this.writer = writer;
        }

        @Override
        public boolean next(RecordBuffer into) {
            synchronized (disk) {
                if (next >= disk.size()) {
                    return false;
                }
                byte[] record = disk.read(next);
                System.arraycopy(record, 0, into.prepare(record.length), 0, record.length);
                into.locate(next, "sim", next);
                next++;
                touchedSinceSync |= writer;
                return true;
            }
        }

        @Override
        public boolean seek(long address) {
            synchronized (disk) {
                next = (int) address;
                return address < disk.size();
            }
        }

        @Override
        public void toStart() {
            next = 0;
        }

        @Override
        public void close() {
        }
    }
}
