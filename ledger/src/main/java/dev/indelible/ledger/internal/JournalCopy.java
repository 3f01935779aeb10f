package dev.indelible.ledger.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;

/**
 * Copies journal files, keeping them sparse: Chronicle's cycle files are 80 MiB mappings of which
 * only the written part (and the part allocated ahead of the writer) holds blocks, so blocks of
 * zeros are left as holes instead of written. Each copy is forced before it returns.
 *
 * <p>Design note: the whole file is read. {@code lseek(SEEK_DATA)} would skip the holes, but on
 * ext4 it reported as holes the preallocated extents that Chronicle had written through its map
 * and not yet written back (measured: a staged copy missing the last records).
 *
 * <p>Stateless.
 */
final class JournalCopy {
    private static final int BLOCK = 1 << 20;
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(BLOCK);

    private JournalCopy() {
    }

    /** Copies every regular file of {@code from} into the new directory {@code to}, owner-only. */
    static void copyDirectory(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.list(from)) {
            copyDirectory(from, to, files.filter(Files::isRegularFile).sorted().toList());
        }
    }

    /** Copies {@code files} (in {@code from}) into the directory {@code to}, created owner-only if absent. */
    static void copyDirectory(Path from, Path to, List<Path> files) throws IOException {
        Files.createDirectories(to);
        DataDirectory.secure(to);
        for (Path file : files) {
            copy(file, to.resolve(from.relativize(file)));
        }
    }

    private static void copy(Path from, Path to) throws IOException {
        ByteBuffer block = ByteBuffer.allocateDirect(BLOCK);
        try (FileChannel in = FileChannel.open(from, StandardOpenOption.READ);
             FileChannel out = FileChannel.open(to, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            DataDirectory.secure(to);
            long size = in.size();
            for (long at = 0; at < size; at += BLOCK) {
                block.clear();
                while (block.hasRemaining() && in.read(block, at + block.position()) > 0) {
                    // fill the block, or up to the end of the file
                }
                block.flip();
                if (block.mismatch(ZEROS.duplicate().limit(block.limit())) >= 0) {
                    while (block.hasRemaining()) {
                        out.write(block, at + block.position());
                    }
                }
            }
            if (out.size() < size) {
                out.write(ByteBuffer.allocate(1), size - 1); // the same length, the zeros at the end a hole
            }
            out.force(true);
        }
    }
}
