package dev.indelible.ledger.internal.keys;

import dev.indelible.ledger.internal.DataDirectory;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The lock file beside the key store ({@code personal-data.keys.lock}): the lock the processes
 * sharing the store take around every read and write of it, and a page they all map with what they
 * need to know under it without a system call:
 *
 * <pre>
 * generation i64 | length i64    (native order; zero in a lock file written before this page)
 * </pre>
 *
 * {@code generation} is raised by an erasure before it replaces the key file, so every other
 * process reloads the file by its path before it appends to it again. {@code length} is where the
 * next key record goes, written before the record itself: a process whose own length and
 * generation equal the page's knows the file ends where it thinks, with no {@code stat}. A writer
 * killed between the two leaves a page that no process agrees with, which sends the next writer to
 * the full check of the file. The page is only a hint that says "unchanged": any value it holds that
 * a process does not expect costs that process a full check, never a wrong write.
 *
 * <p>Not thread-safe: used under the key store's JVM-wide monitor (two locks on one file from one
 * JVM would overlap).
 */
final class KeyStoreLock {
    static final String SUFFIX = ".lock";
    private static final int PAGE_BYTES = 16;
    private static final int GENERATION_OFFSET = 0;
    private static final int LENGTH_OFFSET = 8;
    private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());

    private final Path file;
    private FileChannel channel;
    private MappedByteBuffer page;

    KeyStoreLock(Path keyFile) {
        this.file = keyFile.resolveSibling(keyFile.getFileName() + SUFFIX);
    }

    interface Locked<T> {
        T run() throws IOException;
    }

    /** Runs {@code action} holding the lock, which other processes sharing the store wait for. */
    <T> T locked(Locked<T> action) throws IOException {
        try (FileLock held = channel().lock()) {
            if (page == null) {
                page = mapPage();
            }
            return action.run();
        }
    }

    /** The erasures' generation; read under the lock. */
    long generation() {
        return (long) LONGS.getVolatile(page, GENERATION_OFFSET);
    }

    /** Raised under the lock before the key file is replaced. */
    void raiseGeneration() {
        LONGS.setVolatile(page, GENERATION_OFFSET, generation() + 1);
    }

    /** Where the last writer said the file ends; read under the lock. */
    long length() {
        return (long) LONGS.getVolatile(page, LENGTH_OFFSET);
    }

    /** Says under the lock where the file will end once what is being written is whole. */
    void announceLength(long length) {
        LONGS.setVolatile(page, LENGTH_OFFSET, length);
    }

    private FileChannel channel() throws IOException {
        if (channel == null) {
            Files.createDirectories(file.getParent());
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            DataDirectory.secure(file);
        }
        return channel;
    }

    /** Maps the page, first growing a lock file written before it had one (under the lock: never two at once). */
    private MappedByteBuffer mapPage() throws IOException {
        if (channel.size() < PAGE_BYTES) {
            ByteBuffer zeros = ByteBuffer.allocate(PAGE_BYTES - (int) channel.size());
            while (zeros.hasRemaining()) {
                channel.write(zeros, channel.size());
            }
        }
        return channel.map(FileChannel.MapMode.READ_WRITE, 0, PAGE_BYTES);
    }

    /** Releases the lock file; the mapping goes with the buffer. */
    void close() throws IOException {
        page = null;
        if (channel != null) {
            channel.close();
            channel = null;
        }
    }
}
