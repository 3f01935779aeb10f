package dev.indelible.ledger.internal.keys;

import dev.indelible.ledger.AtomicFile;
import dev.indelible.ledger.LedgerException;
import dev.indelible.ledger.internal.DataDirectory;
import dev.indelible.ledger.internal.KillPoints;
import dev.indelible.ledger.spi.SubjectKeys;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The personal-data key store beside the journal (never in it): a key per data subject, the
 * subjects erased, and the ledger's secret for naming reservation streams. A new key is one record
 * appended to the file (1M registrations are 1M short appends, not 1M rewrites); an erasure rewrites
 * the file whole without the key ({@link AtomicFile}: temp, fsync, rename), so a destroyed key is in
 * no live block of the file afterwards. The layout is {@link KeyStoreFormat}'s.
 *
 * <p>{@code erasures_applied} is the version of the {@code ops-erasures} stream whose erasures the file
 * holds: an open replays the later ones, so an erasure recorded in the journal wins over any key file.
 * A record cut short at the end (a writer killed mid-write, before its event could be written) is
 * ignored, and cut off before the next record; any other damage (a bad checksum, a bad header) stops the ledger, naming
 * the file: a damaged store is never recreated, since its keys cannot be.
 *
 * <p>Several processes share one file through {@link KeyStoreLock}: a new key is written under its lock
 * without a {@code stat} of the file when its page says nothing changed since this process last
 * looked. The file is replaced only by an erasure, which raises the page's generation first; replacing
 * it by hand while ledgers have it open is not supported (stop them first, as a restore does).
 *
 * <p>Thread-safe.
 */
public final class KeyStore implements SubjectKeys {
    public static final String FILE_NAME = "personal-data.keys";
    static final int HEADER_BYTES = KeyStoreFormat.HEADER_BYTES;
    private static final long RECHECK_NANOS = 50_000_000L;
    private static final Map<Path, Object> MONITORS = new ConcurrentHashMap<>();

    private final Path file;
    private final KeyStoreLock lock;
    private final KeyFile keyFile;
    private final Object monitor;
    private final boolean forceEachKey;
    /** Held while forcing, outside the monitor, so that other threads write their keys meanwhile and share the next force. */
    private final Object forcing = new Object();
    private final Map<String, byte[]> keys = new ConcurrentHashMap<>();
    private final Set<String> erased = ConcurrentHashMap.newKeySet();
    /** Guarded by the monitor. */
    private final RandomKeys randomKeys = new RandomKeys();
    private volatile byte[] secret;
    private volatile long erasuresApplied;
    /** How much of the key file (of its identity) is known to be on disk; written under the monitor. */
    private volatile long forcedLength;
    private volatile long lastCheck;

    private KeyStore(Path file, boolean forceEachKey) {
        this.file = file;
        this.lock = new KeyStoreLock(file);
        this.keyFile = new KeyFile(file, lock);
        this.monitor = MONITORS.computeIfAbsent(file, f -> new Object());
        this.forceEachKey = forceEachKey;
    }

    /**
     * Opens the store in {@code dir}, creating it only when {@code mayCreate} (a journal without
     * events, which no key can be missing for).
     *
     * @param forceEachKey force each new key to disk before it is used (the journal's SYNC policy)
     * @throws LedgerException naming the file when it is missing (and may not be created) or damaged
     */
    public static KeyStore open(Path dir, boolean mayCreate, boolean forceEachKey) {
        Path file = dir.toAbsolutePath().normalize().resolve(FILE_NAME);
        KeyStore store = new KeyStore(file, forceEachKey);
        try {
            store.load(mayCreate);
        } catch (RuntimeException | Error e) {
            store.close();
            throw e;
        }
        return store;
    }

    private void load(boolean mayCreate) {
        synchronized (monitor) {
            locked(() -> {
                if (!Files.exists(file)) {
                    if (!mayCreate) {
                        throw new LedgerException("the personal-data key store " + file + " is missing while the journal"
                            + " holds events: restore it from a backup (a journal written before personal data was"
                            + " encrypted: migrate it with `indelible export-journal --to NEW --encrypt-personal-data`)");
                    }
                    keyFile.create(randomKeys.next(), -1, Map.of(), Set.of());
                }
                keyFile.checkOwnerOnly();
                loadAll();
                return null;
            });
        }
    }

    public static boolean exists(Path dir) {
        return Files.exists(dir.resolve(FILE_NAME));
    }

    /** Writes a copy of the store, as it is now, into {@code dir} (owner-only, temp, fsync, rename): for backups and copies. */
    public void copyTo(Path dir) {
        synchronized (monitor) {
            locked(() -> {
                Path copy = dir.toAbsolutePath().normalize().resolve(FILE_NAME);
                AtomicFile.write(copy, Files.readAllBytes(file));
                DataDirectory.secure(copy);
                return null;
            });
        }
    }

    /**
     * Writes a whole store into {@code dir} (owner-only, temp, fsync, rename): for copies of keys kept
     * elsewhere (a Kafka keys topic) into a data directory.
     */
    public static void write(Path dir, byte[] secret, Map<String, byte[]> keys, Set<String> erased) {
        Path copy = dir.toAbsolutePath().normalize().resolve(FILE_NAME);
        try {
            AtomicFile.write(copy, KeyStoreFormat.whole(secret, -1, keys, erased));
            DataDirectory.secure(copy);
        } catch (IOException e) {
            throw new LedgerException("cannot write the personal-data key store " + copy + ": " + e, e);
        }
    }

    /** A copy of every key, by subject: for moving the keys into another store (a Kafka keys topic). */
    public Map<String, byte[]> keys() {
        refreshIfReplaced();
        return Map.copyOf(keys);
    }

    @Override
    public String describe() {
        return "the personal-data key store " + file;
    }

    /** Reads the store in {@code dir} without writing anything: for verify. */
    public static KeyStore read(Path dir) {
        return open(dir, false, false);
    }

    public Path file() {
        return file;
    }

    /** The ledger's secret for keyed hashes of stream names. */
    public byte[] secret() {
        return secret;
    }

    public long erasuresApplied() {
        return erasuresApplied;
    }

    public int keyCount() {
        refreshIfReplaced();
        return keys.size();
    }

    public boolean isErased(String subject) {
        refreshIfReplaced();
        return erased.contains(subject);
    }

    /** The subjects erased, sorted. */
    public Set<String> erasedSubjects() {
        refreshIfReplaced();
        return new TreeSet<>(erased);
    }

    /** The subject's key, or null when it has none (erased, or never had one). */
    public byte[] key(String subject) {
        refreshIfReplaced();
        byte[] key = keys.get(subject);
        if (key == null && !erased.contains(subject)) {
            synchronized (monitor) {
                locked(() -> {
                    catchUpUnlessUnchanged();
                    return null;
                });
            }
            key = keys.get(subject);
        }
        return key;
    }

    /**
     * The subject's key, created if it has none: written, and with {@code forceEachKey} forced to disk,
     * before it is returned, so before any event sealed with it is written.
     *
     * @return null when the subject is erased: nothing of it may be written again
     */
    public byte[] keyFor(String subject) {
        byte[] key = keys.get(subject);
        if (key == null) {
            key = createKey(subject);
        }
        if (forceEachKey && key != null && forcedLength < keyFile.validLength()) {
            forceWritten();
        }
        return key;
    }

    private byte[] createKey(String subject) {
        synchronized (monitor) {
            return locked(() -> {
                catchUpUnlessUnchanged();
                byte[] existing = keys.get(subject);
                if (existing != null || erased.contains(subject)) {
                    return existing;
                }
                byte[] fresh = randomKeys.next();
                keyFile.append(KeyStoreFormat.record(KeyStoreFormat.KEY, subject, fresh));
                keys.put(subject, fresh);
                return fresh;
            });
        }
    }

    /**
     * Forces what is written of the key file to disk (SYNC), before a key written since is used: a
     * group commit, as the journal's. A thread forces outside the monitor while others append their
     * keys, and one force covers every key written before it; a key another process wrote is
     * covered too (it is forced here before this process seals with it).
     */
    private void forceWritten() {
        synchronized (forcing) {
            FileChannel channel;
            long through;
            Object identity;
            synchronized (monitor) {
                if (forcedLength >= keyFile.validLength()) {
                    return;
                }
                through = keyFile.validLength();
                identity = keyFile.identity();
                try {
                    channel = keyFile.writeChannel();
                } catch (IOException e) {
                    throw keyFile.damaged("cannot be written: " + e);
                }
            }
            try {
                channel.force(false);
            } catch (IOException e) {
                throw keyFile.damaged("cannot be forced to disk: " + e);
            }
            synchronized (monitor) {
                // An erasure that replaced the file meanwhile wrote the new one whole and forced it.
                if (Objects.equals(identity, keyFile.identity())) {
                    forcedLength = Math.max(forcedLength, through);
                }
            }
        }
    }

    /**
     * Destroys the subjects' keys: the file is rewritten whole without them and with them in its
     * erased list, and {@code erasuresApplied} set. Idempotent.
     */
    public void erase(Set<String> subjects, long appliedThrough) {
        synchronized (monitor) {
            locked(() -> {
                loadAll();
                Map<String, byte[]> kept = new HashMap<>(keys);
                Set<String> gone = new TreeSet<>(erased);
                for (String subject : subjects) {
                    kept.remove(subject);
                    gone.add(subject);
                }
                keyFile.replace(secret, Math.max(appliedThrough, erasuresApplied), kept, gone);
                KillPoints.reach(KillPoints.ERASE_KEY_DESTROYED);
                loadAll();
                return null;
            });
        }
    }

    /** Rereads the file if another process replaced it (an erasure), at most every 50 ms. */
    private void refreshIfReplaced() {
        long now = System.nanoTime();
        if (now - lastCheck < RECHECK_NANOS) {
            return;
        }
        lastCheck = now;
        try {
            Object identity = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
            if (!Objects.equals(identity, keyFile.identity())) {
                synchronized (monitor) {
                    locked(() -> {
                        loadAll();
                        return null;
                    });
                }
            }
        } catch (IOException e) {
            throw keyFile.damaged("cannot be read: " + e);
        }
    }

    /** Reads what other processes wrote since, unless the lock page says there is nothing. */
    private void catchUpUnlessUnchanged() throws IOException {
        if (!keyFile.unchanged() && !keyFile.catchUp(keys, erased)) {
            loadAll();
        }
    }

    /** Reads the whole file by its path; under the lock. */
    private void loadAll() throws IOException {
        KeyFile.Contents read = keyFile.readWhole();
        erasuresApplied = read.erasuresApplied();
        secret = read.secret();
        keys.keySet().retainAll(read.keys().keySet());
        keys.putAll(read.keys());
        erased.addAll(read.erased());
        // Not known: records other processes appended may not be forced yet; the next key used forces once.
        forcedLength = 0;
    }

    /**
     * Runs under the lock file shared with other processes (the caller holds this JVM's monitor: two
     * locks on one file from one JVM would overlap).
     */
    private <T> T locked(KeyStoreLock.Locked<T> action) {
        try {
            return lock.locked(action);
        } catch (IOException e) {
            throw keyFile.damaged("cannot be read or written: " + e);
        }
    }

    /** Releases the files; the store is not used afterwards. */
    public void close() {
        synchronized (monitor) {
            keyFile.close();
            try {
                lock.close();
            } catch (IOException e) {
                // nothing is written on close: a failed close loses nothing
            }
        }
    }
}
