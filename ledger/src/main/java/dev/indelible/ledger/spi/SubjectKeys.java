package dev.indelible.ledger.spi;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where a ledger keeps its personal-data keys, one per data subject, and the secret that names
 * reservation streams: the embedded key store beside the journal, or ledger-kafka's keys topic
 * beside the topic. Never in the journal: erasing a subject destroys its key, and with it every
 * sealed value of the subject, while the journal stays append-only.
 *
 * <p>Implementations are thread-safe.
 */
public interface SubjectKeys {

    /** The ledger's secret for keyed hashes of personal stream names. */
    byte[] secret();

    /**
     * The subject's key for sealing, created if it has none. A key must be durable no later than
     * the first event sealed with it (in the same write, or before it).
     *
     * @return null when the subject is erased: nothing of it may be written again
     */
    byte[] keyFor(String subject);

    /** The subject's key for opening, or null when it has none (erased, or never had one). */
    byte[] key(String subject);

    /**
     * Every key a sealed value of the subject may have been sealed with, {@link #key} first: several
     * writers of one journal (Kafka partitions) each seal with a key of their own.
     */
    default List<byte[]> keys(String subject) {
        byte[] key = key(subject);
        return key == null ? List.of() : List.of(key);
    }

    boolean isErased(String subject);

    /** The subjects erased, sorted. */
    Set<String> erasedSubjects();

    /** How many live keys it holds. */
    int keyCount();

    /** The version of the erasure stream whose erasures these keys reflect; -1 for none. */
    long erasuresApplied();

    /**
     * Called, with no other append in between, just before the {@code ops.erase} event of
     * {@code subject} is appended: keys that are destroyed by records written in the same
     * transaction as that event (Kafka's tombstones) get them ready here. Followed by
     * {@link #erasingDone()} whatever happened.
     */
    default void erasing(String subject) {
    }

    /** After the {@code ops.erase} append of {@link #erasing} was written or refused: drops what was not written. */
    default void erasingDone() {
    }

    /**
     * Destroys the subjects' keys (those an {@code ops.erase} event names) and notes the erasure
     * stream's version applied. Idempotent.
     */
    void erase(Set<String> subjects, long appliedThrough);

    /** Where the keys live, for messages: a file, a topic. */
    String describe();

    /** The key store's file, or null when the keys are not in a file. */
    Path file();

    /** Writes a copy of the keys as they are now, as an embedded key store in {@code dir} (backups, journal copies). */
    void copyTo(Path dir);

    /** Releases what it holds; not used afterwards. */
    void close();

    /**
     * Writes keys kept elsewhere as an embedded key store in {@code dir} (owner-only; temp, fsync,
     * rename): what {@link #copyTo} of such keys writes.
     */
    static void writeKeyStore(Path dir, byte[] secret, Map<String, byte[]> keys, Set<String> erased) {
        dev.indelible.ledger.internal.keys.KeyStore.write(dir, secret, keys, erased);
    }

    /**
     * Reads the embedded key store in {@code dir} (as {@link #copyTo} writes it), for moving its keys
     * elsewhere; null when there is none.
     *
     * @throws dev.indelible.ledger.LedgerException naming the file when it is damaged
     */
    static Contents readKeyStore(Path dir) {
        if (!dev.indelible.ledger.internal.keys.KeyStore.exists(dir)) {
            return null;
        }
        dev.indelible.ledger.internal.keys.KeyStore store = dev.indelible.ledger.internal.keys.KeyStore.read(dir);
        try {
            return new Contents(store.secret(), store.keys(), store.erasedSubjects());
        } finally {
            store.close();
        }
    }

    /** What a key store holds: the secret, a key per subject, the subjects erased. */
    record Contents(byte[] secret, Map<String, byte[]> keys, Set<String> erased) {
    }
}
