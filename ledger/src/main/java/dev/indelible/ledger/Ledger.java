package dev.indelible.ledger;

import dev.indelible.ledger.internal.DefaultLedger;
import dev.indelible.ledger.internal.EmbeddedOpen;
import dev.indelible.ledger.internal.JvmRequirements;
import dev.indelible.ledger.internal.StagedAppend;
import dev.indelible.ledger.spi.Journal;
import dev.indelible.ledger.spi.SubjectKeys;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.LongConsumer;

/**
 * An append-only event journal: producers append immutable events to streams with optimistic
 * concurrency and idempotency; readers replay them in {@code global_seq} order.
 *
 * <p>Thread-safe: any number of threads may append and read at once, and several OS processes
 * may open the same directory and append concurrently; {@code global_seq} stays dense and stream
 * versions and idempotency stay exact across all of them.
 *
 * <pre>{@code
 * try (Ledger ledger = Ledger.open(Path.of("data"), LedgerConfig.defaults())) {
 *     AppendResult r = ledger.append("email-alice@example.com", ExpectedVersion.NO_STREAM,
 *         EventData.json("account.registered", "{\"email\":\"alice@example.com\"}".getBytes(UTF_8)));
 *     if (r instanceof AppendResult.WrongExpectedVersion) { ... taken ... }
 * }
 * }</pre>
 */
public interface Ledger extends AutoCloseable {

    /**
     * Opens (creating if absent) the ledger in {@code dataDir}; the journal lives in
     * {@code dataDir/journal}. The directory is created owner-only; one that group or others can
     * write to is refused.
     */
    static Ledger open(Path dataDir, LedgerConfig config) {
        JvmRequirements.check();
        return EmbeddedOpen.open(dataDir, config);
    }

    /**
     * Appends what {@code appends} appends, all or nothing, to the embedded ledger in {@code dataDir}:
     * for batches too large for one {@link Transaction} (an import of a million records). The
     * function is given a ledger over a copy of the journal in {@code dataDir/import-staging}; once it
     * returns, the copy is forced and swapped in whole, so existing events keep their positions.
     * After {@code kill -9} or a power cut the ledger is as it was, or holds every append the function
     * made (the next open finishes the swap). Needs the ledger to itself to copy the journal and to
     * swap it in: refused with a {@link LedgerInUseException} naming why when another ledger has it open,
     * or when another process appended to it meanwhile (nothing is then written). The copy costs the
     * journal's written bytes once; the function's appends may be acknowledged unsynced
     * ({@link Durability#MEMORY_MAPPED}): they are forced before the swap.
     */
    static <T> T appendAllOrNothing(Path dataDir, LedgerConfig config, Function<Ledger, T> appends) {
        JvmRequirements.check();
        return StagedAppend.run(dataDir, config, appends);
    }

    /**
     * Opens a ledger over another journal implementation (see {@link Journal}),
     * such as ledger-kafka's. {@code stateDir} holds checkpoints of the in-memory indexes: a cache,
     * checked against the journal and rebuilt from it when it does not match.
     */
    static Ledger open(Journal journal, Path stateDir, LedgerConfig config) {
        JvmRequirements.check();
        return DefaultLedger.open(journal, stateDir, config);
    }

    /**
     * {@link #open(Journal, Path, LedgerConfig)} with the personal-data keys kept beside that journal
     * ({@link SubjectKeys}, e.g. ledger-kafka's keys topic): personal fields are then sealed with them
     * and subjects can be erased. Null keeps none: nothing is sealed. The ledger closes them.
     */
    static Ledger open(Journal journal, Path stateDir, LedgerConfig config, SubjectKeys keys) {
        JvmRequirements.check();
        return DefaultLedger.open(journal, stateDir, config, keys);
    }

    /**
     * Checks the journal in {@code dataDir} without opening it for writing, so it works on a journal
     * too damaged to open (where {@link #open} refuses with a {@link CorruptJournalException}).
     * Read-only: repairs nothing, writes no checkpoint.
     */
    static VerifyReport verify(Path dataDir) {
        return verify(dataDir, checked -> { });
    }

    /**
     * {@link #verify(Path)}, telling {@code progress} how many events it has checked so far, about
     * every 65,536 events and once at the end: for a progress bar. It runs on the calling thread.
     */
    static VerifyReport verify(Path dataDir, LongConsumer progress) {
        JvmRequirements.check();
        return EmbeddedOpen.verify(dataDir, progress);
    }

    /** Checks every record of another journal implementation, read-only: see {@link #verify(Path)}. */
    static VerifyReport verify(Journal journal) {
        return verify(journal, checked -> { });
    }

    /** {@link #verify(Journal)} with progress, as {@link #verify(Path, LongConsumer)}. */
    static VerifyReport verify(Journal journal, LongConsumer progress) {
        JvmRequirements.check();
        return DefaultLedger.verify(journal, progress);
    }

    /**
     * Appends {@code events} to {@code stream}, all or none, if the stream is at
     * {@code expectedVersion}, and blocks until they hold under the durability policy.
     *
     * @param expectedVersion an exact version, or {@link ExpectedVersion#ANY}, {@link ExpectedVersion#NO_STREAM},
     *                        {@link ExpectedVersion#STREAM_EXISTS}
     * @throws InvalidEventException naming the field when the input is bad; nothing is written
     * @throws LedgerException       when the journal cannot be written
     */
    AppendResult append(String stream, long expectedVersion, List<EventData> events);

    /** {@link #append(String, long, List)} for one event. */
    AppendResult append(String stream, long expectedVersion, EventData event);

    /**
     * {@link #append(String, long, List)}, filling the caller's {@code receipt} instead of
     * returning a new result: the embedded ledger's append then allocates nothing.
     *
     * @return {@code receipt}, filled
     */
    default AppendReceipt append(String stream, long expectedVersion, List<EventData> events, AppendReceipt receipt) {
        receipt.fill(append(stream, expectedVersion, events));
        return receipt;
    }

    /** {@link #append(String, long, List, AppendReceipt)} for one event. */
    default AppendReceipt append(String stream, long expectedVersion, EventData event, AppendReceipt receipt) {
        receipt.fill(append(stream, expectedVersion, event));
        return receipt;
    }

    /**
     * Writes like {@link #append(String, long, List)} on the calling thread, but returns before
     * the durability policy holds: the future completes when it does. Futures of one producer
     * complete in the order of its calls, and one sync completes a whole group.
     *
     * @throws InvalidEventException at once, naming the field, when the input is bad
     */
    CompletableFuture<AppendResult> appendAsync(String stream, long expectedVersion, List<EventData> events);

    /** {@link #appendAsync(String, long, List)} for one event. */
    CompletableFuture<AppendResult> appendAsync(String stream, long expectedVersion, EventData event);

    /**
     * Appends a {@link Transaction}, all or nothing, if every part's stream is at its expected
     * version and every condition holds, and blocks until it holds under the durability policy.
     * Its events are written as one record with consecutive {@code global_seq}s: after a crash the
     * transaction is in the journal whole or not at all. A retry of it, event for event, answers
     * its original positions as a duplicate.
     *
     * @throws InvalidEventException naming the field ({@code parts[1].events[0].type}) when the input is bad;
     *                               nothing is written
     * @throws LedgerException       when the journal cannot be written
     */
    TransactionResult append(Transaction transaction);

    /**
     * Writes like {@link #append(Transaction)} on the calling thread, but returns before the
     * durability policy holds, as {@link #appendAsync(String, long, List)}.
     */
    CompletableFuture<TransactionResult> appendAsync(Transaction transaction);

    /**
     * Appends events exactly as another ledger recorded them, keeping their {@code global_seq},
     * stream version, id, type, time, producer, payload and metadata: for restoring a backup and
     * copying a journal. The events must be consecutive events with one time and producer (one
     * source record, or part of one: one append, or a transaction's parts, each stream in one run),
     * and must continue this ledger's sequence and each stream's versions exactly. They are written
     * as one record, so a transaction copied whole stays atomic. The future completes when they are
     * durable under the policy.
     *
     * @throws IllegalArgumentException at once, naming the first event that does not continue the
     *                                  ledger; nothing is written
     */
    CompletableFuture<AppendResult> appendRecorded(List<RecordedEvent> events);

    /** Up to {@code limit} events from {@code fromGlobalSeq}, in order. */
    List<RecordedEvent> read(long fromGlobalSeq, int limit);

    /** Up to {@code limit} events of one stream from {@code fromVersion}, in order; empty if it does not exist. */
    List<RecordedEvent> readStream(String stream, long fromVersion, int limit);

    /** The version of the stream's last event, or {@link ExpectedVersion#NO_STREAM} if it has none. */
    long streamVersion(String stream);

    /** A pull cursor starting at {@code fromGlobalSeq}. */
    EventReader openReader(long fromGlobalSeq);

    /**
     * Delivers every event from {@code fromGlobalSeq} to {@code handler} on a new thread, then
     * follows live appends (from any process) until closed.
     */
    Subscription subscribe(long fromGlobalSeq, EventHandler handler);

    /**
     * The streams of the ledger's own audit trail (names beginning with {@link Operations#STREAM_PREFIX}),
     * sorted by name, including those another process created: kept as streams are created, so
     * listing them walks neither the journal nor every stream.
     */
    List<String> auditStreams();

    /** The {@code global_seq} the next event will get: the number of events in the journal. */
    long head();

    /** Walks the whole journal and reports every problem it can locate. Does not modify anything. */
    default VerifyReport verify() {
        return verify(checked -> { });
    }

    /**
     * {@link #verify()}, telling {@code progress} how many events it has checked so far, as
     * {@link #verify(Path, LongConsumer)} does: for a progress bar while appends go on.
     */
    VerifyReport verify(LongConsumer progress);

    LedgerMetrics metrics();

    /** Opens sealed personal fields, names reservation streams by their keyed hash, erases subjects: see {@link PersonalData}. */
    PersonalData personalData();

    LedgerConfig config();

    /** Waits for pending syncs, writes a checkpoint for a fast reopen, releases the files. */
    @Override
    void close();
}
