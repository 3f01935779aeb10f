package dev.indelible.ledger.internal;

import dev.indelible.ledger.LedgerException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Refuses a writer from another PID namespace. Chronicle Queue's write lock records a process id,
 * so two processes that do not share a PID namespace (containers) can both believe they hold it
 * and corrupt the journal (OpenHFT/Chronicle-Queue#629). Each open ledger holds a shared kernel
 * lock on {@code pidns-<namespace>.lock}; kernel locks work across namespaces, so a lock held on
 * another namespace's file means a live writer there, and this open is refused.
 *
 * <p>Thread-safe. Locks are per process, so ledgers of one JVM share one lock per directory.
 */
final class NamespaceGuard implements AutoCloseable {
    private static final Map<Path, Held> HELD = new HashMap<>();

    private record Held(FileChannel channel, FileLock lock, int users) {
    }

    private final Path file;

    private NamespaceGuard(Path file) {
        this.file = file;
    }

    /** Takes this namespace's lock in {@code stateDir}, or refuses if another namespace holds one. */
    static NamespaceGuard acquire(Path stateDir, Path journalDir) {
        String namespace = currentNamespace();
        Path own = stateDir.resolve("pidns-" + namespace + ".lock").toAbsolutePath().normalize();
        synchronized (HELD) {
            Held held = HELD.get(own);
            if (held != null) {
                HELD.put(own, new Held(held.channel(), held.lock(), held.users() + 1));
                return new NamespaceGuard(own);
            }
            FileChannel channel = null;
            try {
                channel = FileChannel.open(own, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
                DataDirectory.secure(own);
                FileLock lock = channel.lock(0, Long.MAX_VALUE, true);
                String other = liveOtherNamespace(stateDir, own);
                if (other != null) {
                    channel.close();
                    throw new LedgerException(journalDir + " is open for writing by a process in another PID namespace ("
                        + other + ", this one is " + namespace + "). Chronicle Queue's write lock is a process id and"
                        + " cannot tell such writers apart, so a second one would corrupt the journal"
                        + " (Chronicle-Queue#629). Run every writer of one journal in one PID namespace"
                        + " (one container, or --pid=host).");
                }
                HELD.put(own, new Held(channel, lock, 1));
                return new NamespaceGuard(own);
            } catch (IOException e) {
                closeQuietly(channel);
                throw new LedgerException("cannot lock " + own + ": " + e.getMessage(), e);
            }
        }
    }

    /** The namespace of another live writer, or null. */
    private static String liveOtherNamespace(Path stateDir, Path own) throws IOException {
        try (Stream<Path> files = Files.list(stateDir)) {
            for (Path other : files.filter(f -> f.getFileName().toString().startsWith("pidns-")).toList()) {
                if (other.toAbsolutePath().normalize().equals(own)) {
                    continue;
                }
                try (FileChannel channel = FileChannel.open(other, StandardOpenOption.WRITE)) {
                    FileLock probe = channel.tryLock();
                    if (probe == null) {
                        return other.getFileName().toString().replace("pidns-", "").replace(".lock", "");
                    }
                    probe.release(); // a file left by a writer that has gone
                } catch (OverlappingFileLockException e) {
                    return other.getFileName().toString();
                }
            }
        }
        return null;
    }

    /** The inode of this process's PID namespace; "host" where /proc does not say. */
    static String currentNamespace() {
        try {
            String link = Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString(); // "pid:[4026531836]"
            return link.replaceAll("[^0-9]", "");
        } catch (IOException | UnsupportedOperationException e) {
            return "host";
        }
    }

    /**
     * Runs {@code action} while no other ledger has the journal open for writing: this guard's
     * shared lock is swapped for an exclusive one. Returns false, having run nothing, when another
     * process (or another ledger of this JVM) holds it.
     */
    boolean exclusively(Runnable action) {
        synchronized (HELD) {
            Held held = HELD.get(file);
            if (held == null || held.users() > 1) {
                return false;
            }
            FileChannel channel = held.channel();
            try {
                held.lock().release();
                FileLock exclusive = channel.tryLock(0, Long.MAX_VALUE, false);
                if (exclusive != null) {
                    try {
                        action.run();
                    } finally {
                        exclusive.release();
                    }
                }
                HELD.put(file, new Held(channel, channel.lock(0, Long.MAX_VALUE, true), 1));
                return exclusive != null;
            } catch (IOException e) {
                throw new LedgerException("cannot lock " + file + ": " + e.getMessage(), e);
            }
        }
    }

    @Override
    public void close() {
        synchronized (HELD) {
            Held held = HELD.get(file);
            if (held == null) {
                return;
            }
            if (held.users() > 1) {
                HELD.put(file, new Held(held.channel(), held.lock(), held.users() - 1));
            } else {
                HELD.remove(file);
                closeQuietly(held.channel());
            }
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // releasing: nothing left to protect
            }
        }
    }
}
