package dev.indelible.ledger;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Replaces a file whole or not at all, and durably: the content goes to a temp file beside it
 * (owner-only, named {@code <name>.<pid>.<nanos>.tmp} so writers in several processes never share
 * one), which is forced, renamed over the file, and the directory forced, so after a crash or a
 * power cut the file is the old one or the new one, never a mix or nothing. The one way the
 * ledger and the tools around it write a file in place (checkpoints, {@code CURRENT}, tokens,
 * manifests, exports). A temp left by a writer that died is deleted at the next write.
 *
 * <p>Stateless and thread-safe; two processes replacing one file concurrently each leave a whole
 * file, the last rename winning.
 */
public final class AtomicFile {
    private static final FileAttribute<?>[] OWNER_ONLY_FILE = ownerOnly("rw-------");
    private static final FileAttribute<?>[] OWNER_ONLY_DIR = ownerOnly("rwx------");

    private AtomicFile() {
    }

    /** Writes a file's content to a stream the caller must not close. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Replaces {@code file} with {@code content}; creates its directory, owner-only, when missing. */
    public static void write(Path file, byte[] content) throws IOException {
        write(file, out -> out.write(content));
    }

    /** Replaces {@code file} with what {@code content} writes, streamed (never held whole in memory). */
    public static void write(Path file, Content content) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir, OWNER_ONLY_DIR);
        removeAbandonedTemps(file);
        Path temp = dir.resolve(file.getFileName() + "." + ProcessHandle.current().pid() + "." + System.nanoTime() + ".tmp");
        try (FileChannel channel = FileChannel.open(temp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
            OWNER_ONLY_FILE)) {
            OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
            content.writeTo(out);
            out.flush();
            channel.force(true);
        } catch (IOException | RuntimeException | Error e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        rename(temp, file);
    }

    /**
     * Deletes the temp files of {@code file} whose writer died before renaming them (their process
     * is gone): never read, and as large as what they held. A live writer's temp is left alone.
     */
    public static void removeAbandonedTemps(Path file) {
        Path dir = file.toAbsolutePath().getParent();
        String prefix = file.getFileName() + ".";
        long self = ProcessHandle.current().pid();
        try (DirectoryStream<Path> temps = Files.newDirectoryStream(dir, p -> p.getFileName().toString().startsWith(prefix)
            && p.getFileName().toString().endsWith(".tmp"))) {
            for (Path temp : temps) {
                long pid = writerOf(temp.getFileName().toString(), prefix);
                if (pid > 0 && pid != self && ProcessHandle.of(pid).isEmpty()) {
                    Files.deleteIfExists(temp);
                }
            }
        } catch (IOException | RuntimeException e) {
            // A temp left behind costs space, not correctness.
        }
    }

    /** The pid in a temp's name ({@code <name>.<pid>.<nanos>.tmp}), or -1 when the name is not one of ours. */
    private static long writerOf(String tempName, String prefix) {
        int end = tempName.indexOf('.', prefix.length());
        try {
            return end < 0 ? -1 : Long.parseLong(tempName.substring(prefix.length(), end));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * Moves {@code from} to {@code to}, which must not exist, in one step, and forces both
     * directories, so the move survives a power cut: for moving aside what must never be deleted.
     */
    public static void move(Path from, Path to) throws IOException {
        if (Files.exists(to, LinkOption.NOFOLLOW_LINKS)) {
            throw new FileAlreadyExistsException(to.toString(), from.toString(), "nothing is moved over an existing file");
        }
        rename(from, to);
    }

    /**
     * Renames {@code from} over {@code to} (a file, or an empty directory) in one step and forces
     * both directories: for swapping in whole what was built beside it.
     */
    public static void replace(Path from, Path to) throws IOException {
        rename(from, to);
    }

    /** Renames atomically (replacing {@code to}, as rename(2) does), then forces both directories. */
    private static void rename(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot move " + from + " to " + to + " in one step (another file system?): "
                + e.getMessage(), e);
        }
        Path toDir = to.toAbsolutePath().getParent();
        Path fromDir = from.toAbsolutePath().getParent();
        fsyncDirectory(toDir);
        if (!fromDir.equals(toDir)) {
            fsyncDirectory(fromDir);
        }
    }

    /** Forces a directory, so files created or renamed in it survive a power cut as entries. */
    public static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    private static FileAttribute<?>[] ownerOnly(String permissions) {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix")
            ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(permissions))}
            : new FileAttribute<?>[0];
    }
}
