package dev.indelible.projections.internal;

import dev.indelible.projections.ProjectionException;
import dev.indelible.projections.RebuildInProgressException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * The lock a rebuild holds on its projection: an fcntl lock on {@code rebuild.lock}, so it holds
 * across processes and is released by the kernel if the holder dies. The file's text names the
 * holder for the message the second rebuild gets.
 *
 * <p>Not thread-safe: one rebuild owns it.
 */
final class RebuildLock implements AutoCloseable {

    private final FileChannel channel;
    private final FileLock lock;

    private RebuildLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the lock at once or throws {@link RebuildInProgressException} saying who holds it. */
    static RebuildLock acquire(ProjectionDir dir) {
        Path file = dir.lockFile();
        FileChannel channel = null;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                String holder = Files.readString(file, StandardCharsets.UTF_8).strip();
                channel.close();
                throw new RebuildInProgressException(dir.projection(), holder.isEmpty() ? "holder unknown" : holder);
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(holder().getBytes(StandardCharsets.UTF_8)), 0);
            channel.force(false);
            return new RebuildLock(channel, lock);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new ProjectionException("cannot lock " + file + ": " + e.getMessage(), e);
        }
    }

    private static String holder() {
        String host = OpsRecorder.host().isEmpty() ? "this host" : OpsRecorder.host();
        return "pid " + ProcessHandle.current().pid() + " on " + host + " since " + Instant.now() + "\n";
    }

    @Override
    public void close() {
        try {
            channel.truncate(0);
            lock.release();
        } catch (IOException ignored) {
            // Closing the channel below releases the lock anyway.
        }
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // Nothing was written through it that matters.
            }
        }
    }
}
