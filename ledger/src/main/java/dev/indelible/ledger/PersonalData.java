package dev.indelible.ledger;

import java.nio.file.Path;
import java.util.Set;

/**
 * A ledger's personal data: opens sealed field values for reads, names reservation streams by a
 * keyed hash, and erases data subjects. Obtained from {@link Ledger#personalData()}.
 *
 * <p>An erased subject's values read as {@link #ERASED} everywhere (reads, queries, exports, the
 * console); the sealed bytes stay in the journal, so checksums, {@code verify} and rebuilt
 * projections are unchanged by an erasure.
 *
 * <p>Thread-safe.
 */
public interface PersonalData {
    /** What a sealed value of an erased subject reads as. */
    String ERASED = "[erased]";
    /** The audit stream of erasures: one {@code ops.erase} event per erased subject. */
    String ERASURE_STREAM = Operations.STREAM_PREFIX + "erasures";

    /**
     * The clear value of a sealed {@code value} of {@code field}; {@link #ERASED} once its subject
     * is erased; {@code value} itself when it is not sealed.
     *
     * @throws IllegalArgumentException when a sealed value fails its check (altered, or moved from
     *                                  another field or subject)
     */
    String open(String field, String value);

    /**
     * The event with its sealed values opened ({@link #open}; {@link #ERASED} for an erased subject;
     * a value that fails its check stays as stored): the personal fields of a registered Protobuf
     * type, and every sealed string of a JSON object. The event itself when it holds no sealed value.
     * What every read that hands out payloads (HTTP, gRPC, the CLI) shows.
     */
    RecordedEvent opened(RecordedEvent event);

    /** Whether {@code value} is a sealed value (a string beginning {@code enc:v1:}). */
    boolean isSealed(String value);

    /**
     * The name a stream is stored under: a name under a registered personal prefix
     * ({@link LedgerConfig.Builder#personalStreams}) becomes that prefix and the hex HMAC-SHA-256 of
     * the rest with the ledger's secret; any other name is itself.
     */
    String streamName(String stream);

    boolean isErased(String subject);

    /**
     * The event as this ledger stores such an event: its personal fields sealed (keys created as
     * needed), its personal stream named by the keyed hash, everything else as it is. For migrating
     * a journal written in clear ({@code export-journal --encrypt-personal-data}).
     *
     * @throws InvalidEventException naming the event when its personal fields name no subject
     */
    RecordedEvent sealed(RecordedEvent event);

    /** Whether the subject has a key: something of it was sealed, and it is not erased. */
    boolean hasKey(String subject);

    /** The subjects erased so far, sorted. */
    Set<String> erasedSubjects();

    /**
     * Erases a data subject: appends an {@code ops.erase} event naming it (and nothing of its data)
     * to {@link #ERASURE_STREAM}, then destroys its key. After a crash between the two, the next open
     * destroys the key. Nothing of the subject can be appended afterwards.
     *
     * @return false when it was erased already (nothing is appended)
     */
    default boolean erase(String subject, String detail) {
        return erase(subject, detail, java.util.Map.of());
    }

    /** {@link #erase(String, String)} with more figures for its {@code ops.erase} event (who asked, through what). */
    boolean erase(String subject, String detail, java.util.Map<String, String> figures);

    /** The key store's file, or null for a ledger without one. */
    Path keyStore();

    /**
     * Writes a copy of the key store as it is now into {@code dataDir/keys} (owner-only, forced):
     * for backups and journal copies, whose sealed events and hashed stream names need these keys
     * and this secret. Take it after the copy's last event was appended. No-op without a key store.
     */
    void copyKeyStore(Path dataDir);

    /** The subjects erased in the key store of the data directory {@code dataDir}; empty when it has none. */
    static Set<String> erasedIn(Path dataDir) {
        KeyStoreSummary summary = inspect(dataDir);
        return summary == null ? Set.of() : summary.erased();
    }

    /**
     * Reads the key store of the data directory {@code dataDir} without writing anything: for verify.
     *
     * @return null when it has none
     * @throws LedgerException naming the file when it is damaged or readable by others
     */
    static KeyStoreSummary inspect(Path dataDir) {
        Path keys = dataDir.toAbsolutePath().normalize().resolve("keys");
        dev.indelible.ledger.spi.SubjectKeys.Contents read = dev.indelible.ledger.spi.SubjectKeys.readKeyStore(keys);
        return read == null ? null : new KeyStoreSummary(keys.resolve(dev.indelible.ledger.internal.keys.KeyStore.FILE_NAME),
            read.keys().size(), new java.util.TreeSet<>(read.erased()));
    }

    /** What a key store holds: its file, how many keys, which subjects are erased (sorted). */
    record KeyStoreSummary(Path file, int keys, Set<String> erased) {
    }
}
