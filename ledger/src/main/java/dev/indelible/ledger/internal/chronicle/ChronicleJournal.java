package dev.indelible.ledger.internal.chronicle;

import dev.indelible.ledger.AtomicFile;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.LedgerException;
import dev.indelible.ledger.RollCycle;
import dev.indelible.ledger.internal.DataDirectory;
import dev.indelible.ledger.internal.KillPoints;
import dev.indelible.ledger.spi.Journal;
import dev.indelible.ledger.spi.JournalCursor;
import dev.indelible.ledger.spi.RecordOutput;
import dev.indelible.ledger.spi.WriteTransaction;
import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueStore;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * The embedded journal: a Chronicle Queue directory. Its write lock (shared by every thread and
 * process that opens the directory) is the arbiter between writers; one appender serves this
 * process, always under the ledger's own in-process lock. Addresses are Chronicle indexes
 * ({@code cycle << 32 | sequence}): ordered but not dense across files.
 *
 * <p>Thread-safe: {@link #write} and {@link #sync} may be called from any thread.
 */
public final class ChronicleJournal implements Journal {
    private final Path dir;
    private final SingleChronicleQueue queue;
    /** Created at the first write: readers and verify never take Chronicle's write lock. */
    private ExcerptAppender appender;
    /** Started with the appender: only a writer needs pages ahead of it. */
    private ReadAhead readAhead;
    /** Set by the first sync: from then on the read-ahead caches single pages. */
    private volatile boolean synced;
    private final Object writeLock = new Object();
    private final Output output = new Output();
    private final Preallocation space;
    /** Files this process wrote since their last sync, with an open channel to force each. */
    private final Map<File, FileChannel> unsynced = new LinkedHashMap<>();
    private File lastWrittenFile;

    /** A journal that exists, for reading: its roll cycle is the one its metadata records. */
    public static ChronicleJournal openExisting(Path dir) {
        return new ChronicleJournal(dir, null, LedgerConfig.DEFAULT_FREE_SPACE_RESERVE,
            List.of());
    }

    public ChronicleJournal(Path dir, RollCycle rollCycle) {
        this(dir, rollCycle, LedgerConfig.DEFAULT_FREE_SPACE_RESERVE);
    }

    public ChronicleJournal(Path dir, RollCycle rollCycle, long freeSpaceReserve) {
        this(dir, rollCycle, freeSpaceReserve, List.of());
    }

    /**
     * @param rollCycle        how often a new file starts; null to take the existing queue's
     * @param freeSpaceReserve bytes to leave free on the file system: appends are refused below it
     * @param reserveAlsoOn    directories whose file systems must keep the reserve free too
     */
    public ChronicleJournal(Path dir, RollCycle rollCycle, long freeSpaceReserve, List<Path> reserveAlsoOn) {
        this.dir = dir;
        this.space = new Preallocation(dir, freeSpaceReserve, reserveAlsoOn);
        SingleChronicleQueueBuilder builder = SingleChronicleQueueBuilder.binary(dir)
            .storeFileListener((cycle, file) -> DataDirectory.secure(file.toPath()));
        // Without a roll cycle, Chronicle takes the one the queue's metadata records.
        this.queue = (rollCycle == null ? builder : builder.rollCycle(toChronicle(rollCycle))).build();
        // Chronicle creates metadata.cq4t with the process umask, outside the store listener.
        secureExistingFiles(dir);
    }

    private static void secureExistingFiles(Path dir) {
        try (var files = Files.list(dir)) {
            files.forEach(DataDirectory::secure);
        } catch (IOException e) {
            throw new LedgerException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public long write(WriteTransaction transaction) throws IOException {
        synchronized (writeLock) {
            if (appender == null) {
                appender = queue.createAppender();
                // Every use is under the ledger's lock, from whichever thread holds it.
                appender.singleThreadedCheckDisabled(true);
                readAhead = new ReadAhead(() -> synced);
            }
            space.checkReserve();
            Output out = output;
            out.written = false;
            try (DocumentContext dc = appender.writingDocument()) {
                KillPoints.reach(KillPoints.AFTER_HEADER);
                out.bytes = dc.wire().bytes();
                out.context = dc;
                try {
                    transaction.run(out);
                } catch (RuntimeException | Error e) {
                    dc.rollbackOnClose();
                    throw e;
                }
                if (!out.written) {
                    dc.rollbackOnClose();
                }
            }
            if (!out.written) {
                return -1;
            }
            noteWritten(appender.currentFile());
            return appender.lastIndexAppended();
        }
    }

    private void noteWritten(File file) throws IOException {
        if (file == null || file.equals(lastWrittenFile)) {
            return;
        }
        if (lastWrittenFile != null) {
            KillPoints.reach(KillPoints.CYCLE_ROLL);
        }
        lastWrittenFile = file;
        track(file, true);
    }

    /**
     * A writer cursor read records from {@code file}: another process (perhaps one that crashed)
     * may have written them and not synced them yet, and the ledger may acknowledge them (a retry
     * answered as a duplicate), so the next sync forces this file too.
     */
    private void noteRead(File file) {
        try {
            // Its writer forced the directory when it created the file.
            track(file, false);
        } catch (IOException e) {
            throw new LedgerException("cannot open " + file + " to sync it: " + e.getMessage(), e);
        }
    }

    private void track(File file, boolean created) throws IOException {
        synchronized (unsynced) {
            if (!unsynced.containsKey(file)) {
                // Chronicle's store listener does not fire for every new file: secure it here too.
                DataDirectory.secure(file.toPath());
                unsynced.put(file, FileChannel.open(file.toPath(), StandardOpenOption.READ, StandardOpenOption.WRITE));
                if (created) {
                    // A new cycle file must survive a power cut as a directory entry, not just as data.
                    AtomicFile.fsyncDirectory(dir);
                }
            }
        }
    }

    @Override
    public void sync() throws IOException {
        synced = true;
        synchronized (unsynced) {
            var it = unsynced.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<File, FileChannel> e = it.next();
                // fdatasync flushes the mapped pages of the whole file (one page cache on Linux).
                e.getValue().force(false);
                if (!e.getKey().equals(lastWrittenFile)) {
                    e.getValue().close();
                    it.remove();
                }
            }
        }
    }

    @Override
    public JournalCursor openCursor() {
        return new ChronicleCursor(queue, file -> { });
    }

    @Override
    public JournalCursor openWriterCursor() {
        return new ChronicleCursor(queue, this::noteRead);
    }

    /**
     * Where Chronicle's own bookkeeping goes past the last record the ledger could read (at
     * {@code lastAddress}, header at {@code lastHeaderOffset}; -1 for none): a store header whose
     * write position lies beyond it, or a later cycle file. Returns the address to cut from, else
     * -1. Chronicle would append after its write position, leaving a hole readers stop at.
     */
    public long cutAfterLastReadable(long lastAddress, long lastHeaderOffset) {
        net.openhft.chronicle.queue.RollCycle cycles = queue.rollCycle();
        int lastCycle = queue.lastCycle();
        if (lastCycle == Integer.MIN_VALUE) {
            return -1;
        }
        int readCycle = lastAddress < 0 ? Integer.MIN_VALUE : cycles.toCycle(lastAddress);
        int from = lastAddress < 0 ? queue.firstCycle() : readCycle;
        for (long cycle : queue.listCyclesBetween(from, lastCycle)) {
            // A store's write position is its last record's header, 0 while it has none.
            long limit = cycle == readCycle ? lastHeaderOffset : 0;
            SingleChronicleQueueStore store = queue.storeForCycle((int) cycle, queue.epoch(), false, null);
            if (store == null) {
                continue;
            }
            try {
                if (store.writePosition() > limit) {
                    return cycle == readCycle ? lastAddress + 1 : cycles.toIndex((int) cycle, 0);
                }
            } finally {
                queue.closeStore(store);
            }
        }
        return -1;
    }

    @Override
    public String describe() {
        return "Chronicle Queue journal at " + dir;
    }

    @Override
    public void close() {
        synchronized (writeLock) {
            synchronized (unsynced) {
                for (FileChannel channel : unsynced.values()) {
                    try {
                        channel.close();
                    } catch (IOException e) {
                        throw new LedgerException("cannot close " + dir, e);
                    }
                }
                unsynced.clear();
            }
            if (appender != null) {
                appender.close();
                readAhead.close();
            }
            space.close();
            queue.close();
        }
    }

    static net.openhft.chronicle.queue.RollCycle toChronicle(RollCycle cycle) {
        return switch (cycle) {
            case DAILY -> RollCycles.FAST_DAILY;
            case HOURLY -> RollCycles.FAST_HOURLY;
            case TEN_MINUTELY -> RollCycles.TEN_MINUTELY;
            case FIVE_MINUTELY -> RollCycles.FIVE_MINUTELY;
            case SECONDLY -> TestRollCycles.TEST_SECONDLY;
        };
    }

    private final class Output implements RecordOutput {
        /** Room for the index arrays Chronicle may write before the next record. */
        private static final int INDEX_SLACK = 1 << 17;
        Bytes<?> bytes;
        DocumentContext context;
        boolean written;

        /** Chronicle's appender tracks the index of the document it writes (dense within a cycle). */
        @Override
        public long nextAddress() {
            return context.index();
        }

        @Override
        public void write(byte[] data, int offset, int length) {
            if (written) {
                throw new IllegalStateException("a transaction writes at most one record");
            }
            File current = appender.currentFile();
            space.ensure(current, bytes.writePosition() + length + INDEX_SLACK);
            readAhead.follow(current, bytes.writePosition(), space.allocatedTo());
            if (KillPoints.armed(KillPoints.MID_PAYLOAD)) { // a kill between the halves tears the record
                int half = length / 2;
                bytes.write(data, offset, half);
                KillPoints.reach(KillPoints.MID_PAYLOAD);
                bytes.write(data, offset + half, length - half);
            } else {
                bytes.write(data, offset, length);
            }
            written = true;
        }
    }
}
