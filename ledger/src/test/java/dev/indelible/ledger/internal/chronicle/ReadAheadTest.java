package dev.indelible.ledger.internal.chronicle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The read-ahead thread brings the pages ahead of the writer into the page cache (what
 * {@code mincore}, behind {@link MappedByteBuffer#isLoaded}, reports), no further than its lead
 * or the blocks allocated for the writer, follows the writer to the next file, and never changes
 * a byte.
 */
class ReadAheadTest {
    private static final long MIB = 1 << 20;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "single pages: {0}")
    @ValueSource(booleans = {false, true})
    void shouldReadThePagesAheadOfTheWriterAndNoFurther(boolean singlePages) throws Exception {
        // tmpfs answers reads of a hole without caching a page: nothing to observe there.
        assumeFalse("tmpfs".equals(Files.getFileStore(dir).type()), "the temp directory is on tmpfs");
        Path first = sparse("1.cq4", 96 * MIB);
        Path second = sparse("2.cq4", 96 * MIB);
        byte[] written = "a record the writer put there".getBytes();
        try (RandomAccessFile file = new RandomAccessFile(first.toFile(), "rw")) {
            file.seek(20 * MIB);
            file.write(written);
        }

        try (ReadAhead readAhead = new ReadAhead(() -> singlePages)) {
            readAhead.follow(first.toFile(), 20 * MIB, 96 * MIB);
            assertTrue(awaitLoaded(first, 20 * MIB, ReadAhead.LEAD), "the lead ahead of the writer is cached");
            assertFalse(loaded(first, 20 * MIB + ReadAhead.LEAD + 8 * MIB, 16 * MIB), "nothing beyond the lead");

            readAhead.follow(second.toFile(), 0, 8 * MIB);
            assertTrue(awaitLoaded(second, 0, 8 * MIB), "the next file, once the writer is in it");
            assertFalse(loaded(second, 12 * MIB, 16 * MIB), "nothing beyond the blocks allocated for the writer");
            readAhead.follow(second.toFile(), 0, 96 * MIB);
            assertTrue(awaitLoaded(second, 0, ReadAhead.LEAD), "the lead, once allocated");
        }
        byte[] back = new byte[written.length];
        try (RandomAccessFile file = new RandomAccessFile(first.toFile(), "r")) {
            file.seek(20 * MIB);
            file.readFully(back);
        }
        assertArrayEquals(written, back);
        assertTrue(Files.size(first) == 96 * MIB && Files.size(second) == 96 * MIB, "sizes unchanged");
    }

    private Path sparse(String name, long size) throws IOException {
        Path file = dir.resolve(name);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(size);
        }
        return file;
    }

    private static boolean awaitLoaded(Path file, long from, long length) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (loaded(file, from, length)) {
                return true;
            }
            Thread.sleep(10);
        }
        return false;
    }

    private static boolean loaded(Path file, long from, long length) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            MappedByteBuffer map = channel.map(FileChannel.MapMode.READ_ONLY, from, length);
            return map.isLoaded();
        }
    }
}
