package dev.indelible.ledger.internal.chronicle;

import dev.indelible.ledger.JournalFullException;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import net.openhft.posix.PosixAPI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the cycle file's disk blocks allocated ahead of the writer and a reserve free on the file
 * system. Chronicle writes through a memory map into sparse files; a page the disk cannot back
 * raises SIGBUS, which the JVM turns into an asynchronous error no caller can handle
 * (Chronicle-Queue#1282). With the blocks allocated by {@code fallocate} first, a full disk
 * refuses the append before a byte is written, and appends resume once space is freed.
 *
 * <p>Not thread-safe: used under the journal's write lock.
 */
final class Preallocation implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Preallocation.class);
    /** Allocated ahead of the writer at each step: one fallocate per this many bytes written. */
    static final long AHEAD = 16L << 20;
    private static final int O_RDWR = 2;
    private static final int FALLOC_FL_KEEP_SIZE = 1;
    private static final int ENOSPC = 28;
    private static final int EDQUOT = 122;
    /** A statvfs per append would cost more than the append: the reserve is checked this often. */
    private static final long CHECK_NANOS = 20_000_000;

    private final Path dir;
    /** {@link #dir} as the File asked for its free space: made once, so a check allocates nothing. */
    private final File dirFile;
    private final long reserve;
    /** Other file systems that must keep the reserve: the projections' (the same one, usually). */
    private final List<Path> others;
    /** Each of {@link #others} as a File, made once. */
    private final File[] otherFiles;
    private File file;
    private int fd = -1;
    private long allocatedTo;
    private boolean unsupported;
    private long lastCheck = System.nanoTime() - CHECK_NANOS;

    Preallocation(Path dir, long reserve, List<Path> others) {
        this.dir = dir;
        this.dirFile = dir.toFile();
        this.reserve = reserve;
        this.others = List.copyOf(others);
        this.otherFiles = this.others.stream().map(other -> other.toAbsolutePath().toFile()).toArray(File[]::new);
    }

    /** Where the blocks allocated ahead of the writer end, in the current file. */
    long allocatedTo() {
        return allocatedTo;
    }

    /** Before Chronicle touches the file: refuses when the file system is below the reserve. */
    void checkReserve() {
        long now = System.nanoTime();
        if (now - lastCheck >= CHECK_NANOS) {
            long free = dirFile.getUsableSpace();
            if (free < reserve) {
                throw full(free, 0);
            }
            checkOthers();
            lastCheck = now;
        }
    }

    /** Makes sure {@code file} has blocks up to {@code end}, allocating {@link #AHEAD} beyond it. */
    void ensure(File current, long end) {
        boolean sameFile = current == file || current.equals(file);
        if (end <= allocatedTo && sameFile) {
            return;
        }
        if (!sameFile) {
            switchTo(current);
        }
        long target = end + AHEAD;
        long free = dirFile.getUsableSpace();
        if (free - (target - allocatedTo) < reserve) {
            throw full(free, target - allocatedTo);
        }
        if (!unsupported && fd >= 0) {
            PosixAPI posix = PosixAPI.posix();
            if (posix.fallocate(fd, FALLOC_FL_KEEP_SIZE, allocatedTo, target - allocatedTo) != 0) {
                int errno = posix.lastError();
                if (errno == ENOSPC || errno == EDQUOT) {
                    throw full(dirFile.getUsableSpace(), target - allocatedTo);
                }
                unsupported = true;
                LOG.warn("cannot preallocate {} ({}): relying on the free-space reserve alone", current, posix.strerror(errno));
            }
        }
        checkOthers();
        allocatedTo = target;
        lastCheck = System.nanoTime();
    }

    private void switchTo(File current) {
        close();
        file = current;
        allocatedTo = 0;
        fd = PosixAPI.posix().open(current.getPath(), O_RDWR, 0);
        if (fd < 0 && !unsupported) {
            unsupported = true;
            LOG.warn("cannot open {} to preallocate it: relying on the free-space reserve alone", current);
        }
    }

    /** Same number as the journal's when on its file system: asking twice costs one statvfs. */
    private void checkOthers() {
        for (int i = 0; i < otherFiles.length; i++) { // no iterator: checked while appending
            long free = otherFiles[i].getUsableSpace();
            if (free == 0) { // or it does not exist
                free = usableSpaceOfExisting(others.get(i));
            }
            if (free < reserve) {
                Path other = others.get(i);
                throw new JournalFullException("no room kept for " + other + ", which is written beside the journal: "
                    + free + " bytes free on its file system, " + reserve + " kept free (LedgerConfig.freeSpaceReserve,"
                    + " reserveAlsoOn) so that what is written there can catch up with the events already appended;"
                    + " nothing was written. Free space on that file system and append again.", free);
            }
        }
    }

    /** The free space of the file system {@code path} is on, or will be on once created: its nearest existing ancestor's. */
    private static long usableSpaceOfExisting(Path path) {
        Path existing = path.toAbsolutePath();
        while (!Files.exists(existing) && existing.getParent() != null) {
            existing = existing.getParent();
        }
        return existing.toFile().getUsableSpace();
    }

    private JournalFullException full(long free, long wanted) {
        return new JournalFullException("no room for the journal in " + dir + ": " + free + " bytes free, the append"
            + " needs " + wanted + " more allocated ahead of the writer and " + reserve + " kept free"
            + " (LedgerConfig.freeSpaceReserve); nothing was written. Free space on that file system and append again.",
            free);
    }

    @Override
    public void close() {
        if (fd >= 0) {
            PosixAPI.posix().close(fd);
            fd = -1;
        }
        file = null;
    }
}
