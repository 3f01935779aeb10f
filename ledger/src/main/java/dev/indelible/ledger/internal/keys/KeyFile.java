package dev.indelible.ledger.internal.keys;

import dev.indelible.ledger.AtomicFile;
import dev.indelible.ledger.LedgerException;
import dev.indelible.ledger.internal.DataDirectory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The key store's file as this process last read it: read whole by its path, caught up on what
 * other processes appended, appended to, rewritten whole. Where it ends and which file it is
 * ({@code identity}) are what {@link KeyStoreLock}'s page is compared with.
 *
 * <p>Not thread-safe: used under the store's monitor and lock; {@link #identity()} and
 * {@link #validLength()} may be read without them.
 */
final class KeyFile {
    /** What a whole read found: the header's values and every record's. */
    record Contents(byte[] secret, long erasuresApplied, Map<String, byte[]> keys, Set<String> erased) {
    }

    private final Path file;
    private final KeyStoreLock lock;
    /** The file open for writing; reopened once an erasure replaced the file. */
    private FileChannel writeChannel;
    private Object writeChannelIdentity;
    private volatile Object identity;
    private volatile long validLength;
    /** The lock page's generation when this process last read the file by its path. */
    private long generation = -1;
    /** Bytes after the last whole record (a writer killed mid-record): cut before the next record. */
    private boolean tornTail;

    KeyFile(Path file, KeyStoreLock lock) {
        this.file = file;
        this.lock = lock;
    }

    Path path() {
        return file;
    }

    /** Which file was last read (its file key): an erasure replaces it. */
    Object identity() {
        return identity;
    }

    /** The offset after the last whole record this process knows of. */
    long validLength() {
        return validLength;
    }

    /** Reads the whole file by its path. */
    Contents readWhole() throws IOException {
        byte[] bytes;
        Object readIdentity;
        long seen = lock.generation();
        try {
            readIdentity = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw damaged("is missing (it was there when the ledger opened)");
        }
        String problem = KeyStoreFormat.headerProblem(bytes);
        if (problem != null) {
            throw damaged(problem);
        }
        Map<String, byte[]> keys = new HashMap<>();
        Set<String> erased = new TreeSet<>();
        long length = parseRecords(bytes, KeyStoreFormat.HEADER_BYTES, keys, erased);
        validLength = length;
        tornTail = length < bytes.length;
        generation = seen;
        identity = readIdentity;
        return new Contents(KeyStoreFormat.secret(bytes), KeyStoreFormat.erasuresApplied(bytes), keys, erased);
    }

    /** Whether the lock page says nothing was appended or replaced since this process looked: no {@code stat} then. */
    boolean unchanged() {
        return lock.generation() == generation && lock.length() == validLength;
    }

    /**
     * Reads what other processes appended since (only those bytes) into the maps; checked by path, so
     * a new key never goes to a file an erasure has just replaced.
     *
     * @return false when the file was replaced (an erasure): read it whole
     */
    boolean catchUp(Map<String, byte[]> intoKeys, Set<String> intoErased) throws IOException {
        long seen = lock.generation();
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
        if (!Objects.equals(attributes.fileKey(), identity)) {
            return false;
        }
        generation = seen;
        long size = attributes.size();
        if (size > validLength) {
            FileChannel channel = writeChannel();
            ByteBuffer tail = ByteBuffer.allocate(Math.toIntExact(size - validLength));
            while (tail.hasRemaining() && channel.read(tail, validLength + tail.position()) > 0) {
                // reads the records appended since
            }
            long parsed = parseRecords(tail.array(), 0, intoKeys, intoErased);
            validLength += parsed;
            tornTail = parsed < tail.position();
        }
        return true;
    }

    /** Appends one record after the last whole one, announcing the new end on the lock page first. */
    void append(byte[] record) throws IOException {
        FileChannel channel = writeChannel();
        if (tornTail) {
            // A shorter record over a dead writer's longer remnant would leave bytes no parse accepts.
            channel.truncate(validLength);
            tornTail = false;
        }
        lock.announceLength(validLength + record.length);
        ByteBuffer buffer = ByteBuffer.wrap(record);
        long at = validLength;
        while (buffer.hasRemaining()) {
            at += channel.write(buffer, at);
        }
        validLength += record.length;
    }

    /** Rewrites the file whole (temp, fsync, rename), owner-only; the lock page's generation raised first. */
    void replace(byte[] secret, long erasuresApplied, Map<String, byte[]> keys, Set<String> erased) throws IOException {
        // Raised before the file is replaced: a process that then finds the page changed reads it again by path.
        lock.raiseGeneration();
        create(secret, erasuresApplied, keys, erased);
    }

    /** Writes the file whole where there is none yet. */
    void create(byte[] secret, long erasuresApplied, Map<String, byte[]> keys, Set<String> erased) throws IOException {
        AtomicFile.write(file, KeyStoreFormat.whole(secret, erasuresApplied, keys, erased));
        DataDirectory.secure(file);
    }

    /** The file open for writing, for a force. */
    FileChannel writeChannel() throws IOException {
        if (writeChannel == null || !Objects.equals(writeChannelIdentity, identity)) {
            if (writeChannel != null) {
                writeChannel.close();
            }
            writeChannel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            writeChannelIdentity = identity;
        }
        return writeChannel;
    }

    /** A key file others may read is refused, not silently fixed: they may have copied it already. */
    void checkOwnerOnly() throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
        if (view == null) {
            return;
        }
        Set<PosixFilePermission> permissions = view.readAttributes().permissions();
        if (!Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE).containsAll(permissions)) {
            throw damaged("is not owner-only (" + PosixFilePermissions.toString(permissions) + "): others may have"
                + " read its keys; check who could, then chmod 600 it");
        }
    }

    private long parseRecords(byte[] bytes, int from, Map<String, byte[]> intoKeys, Set<String> intoErased) {
        try {
            return KeyStoreFormat.parseRecords(bytes, from, intoKeys, intoErased);
        } catch (KeyStoreFormat.Damage damage) {
            throw damaged(damage.getMessage());
        }
    }

    LedgerException damaged(String reason) {
        return new LedgerException("the personal-data key store " + file + " " + reason
            + "; nothing is appended until it is restored from a backup (it is never recreated: its keys cannot be)");
    }

    /** Closes the write channel; nothing is written on close, so a failed close loses nothing. */
    void close() {
        try {
            if (writeChannel != null) {
                writeChannel.close();
            }
        } catch (IOException e) {
            // as said
        }
        writeChannel = null;
    }
}
