package dev.indelible.ledger.internal;

import dev.indelible.ledger.AppendReceipt;
import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.CorruptJournalException;
import dev.indelible.ledger.Durability;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.EventRule;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.LedgerException;
import dev.indelible.ledger.LedgerMetrics;
import dev.indelible.ledger.RecordedEvent;
import dev.indelible.ledger.Transaction;
import dev.indelible.ledger.TransactionResult;
import dev.indelible.ledger.spi.Journal;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;

/**
 * This process's appends: each caller's events encoded on its own thread ({@link EncodedEvents}),
 * the lock that orders them, the {@link WriteStep} run under it, the
 * durability ticket taken there and waited for after it, and the failure that refuses every
 * append once a write failed. Blocking and async appends are one mechanism: both write under the
 * lock and take a ticket; a blocking caller waits for it, an async one gets a future that the
 * group commit completes. Owns the {@link Follower}, so the queries that need the journal's head
 * ({@link #head}, {@link #streamVersion}, {@link #streamHead}) are answered here too.
 *
 * <p>Thread-safe.
 */
final class Appender implements AutoCloseable {
    /** Each appending thread's events, encoded before it takes the lock (one per thread, whatever the ledger). */
    private static final ThreadLocal<EncodedEvents> ENCODED = ThreadLocal.withInitial(EncodedEvents::new);

    private final Journal journal;
    private final String producerId;
    /** Orders this process's appends; the journal's own write lock orders processes. */
    private final ReentrantLock appendLock = new ReentrantLock();
    private final Follower follower;
    private final WriteStep step;
    private final GroupCommitter committer;
    private final Checkpointer checkpointer;
    private final ReadSide reads;
    private boolean closed;
    /** Under the lock: why the ledger accepts no more appends, once a write failed. */
    private LedgerException failure;

    Appender(LedgerConfig config, Journal journal, Path stateDir, JournalLoader.Loaded loaded, ReadSide reads) {
        this.journal = journal;
        this.producerId = config.producerId();
        this.reads = reads;
        this.follower = loaded.follower();
        this.step = new WriteStep(follower, new RetryLookup(journal.openWriterCursor()), config);
        this.committer = config.durability() == Durability.SYNC
            ? new GroupCommitter(journal, "indelible-group-commit") : null;
        this.checkpointer = new Checkpointer(new Checkpoint(stateDir), appendLock, loaded, config.checkpointInterval(),
            () -> failure != null);
        checkpointer.start();
    }

    /**
     * Appends checked input ({@code events}, or when that is null the one {@code event}) and waits
     * until it is durable. Fills {@code receipt} when given, allocating nothing; else returns the
     * outcome as a new value.
     */
    AppendResult append(String stream, long expectedVersion, List<EventData> events, EventData event,
                        EventRule.Requirement[] rules, AppendReceipt receipt) {
        AppendResult result = null;
        long ticket;
        EncodedEvents encoded = encode(stream, events, event);
        appendLock.lock();
        try {
            writeLocked(stream, expectedVersion, events != null ? events : step.single(event), rules, encoded);
            if (receipt != null) {
                step.outcome().fill(receipt);
            } else {
                result = step.outcome().result();
            }
            ticket = ticketFor(step.outcome().isAppended());
        } finally {
            appendLock.unlock();
        }
        afterWrite(encoded);
        if (ticket > 0) {
            committer.await(ticket);
        }
        return result;
    }

    /** Runs {@code work} holding the append lock: no other append of this ledger is written meanwhile. */
    <T> T exclusively(java.util.function.Supplier<T> work) {
        appendLock.lock();
        try {
            return work.get();
        } finally {
            appendLock.unlock();
        }
    }

    /** {@link #append} for a caller that does not wait: the future completes once the append is durable. */
    CompletableFuture<AppendResult> appendAsync(String stream, long expectedVersion, List<EventData> events,
                                                EventData event, EventRule.Requirement[] rules) {
        AppendResult result;
        long ticket;
        EncodedEvents encoded = encode(stream, events, event);
        appendLock.lock();
        try {
            writeLocked(stream, expectedVersion, events != null ? events : step.single(event), rules, encoded);
            result = step.outcome().result();
            ticket = ticketFor(step.outcome().isAppended());
        } finally {
            appendLock.unlock();
        }
        afterWrite(encoded);
        return whenDurable(result, ticket);
    }

    /** Writes a checked transaction and waits until it is durable. */
    TransactionResult append(Transaction transaction, EventRule.Requirement[][] rules) {
        Written written = write(transaction, rules);
        if (written.ticket() > 0) {
            committer.await(written.ticket());
        }
        return written.result();
    }

    /** {@link #append(Transaction, EventRule.Requirement[][])} for a caller that does not wait. */
    CompletableFuture<TransactionResult> appendAsync(Transaction transaction, EventRule.Requirement[][] rules) {
        Written written = write(transaction, rules);
        return whenDurable(written.result(), written.ticket());
    }

    /** A transaction's outcome and the durability ticket to wait for (0: none). */
    private record Written(TransactionResult result, long ticket) {
    }

    private Written write(Transaction transaction, EventRule.Requirement[][] rules) {
        Written written;
        EncodedEvents encoded = encode(transaction, producerId);
        appendLock.lock();
        try {
            TransactionResult result = writeLocked(transaction, rules, encoded);
            written = new Written(result, ticketFor(result instanceof TransactionResult.Committed));
        } finally {
            appendLock.unlock();
        }
        afterWrite(encoded);
        return written;
    }

    /** Writes events another ledger recorded, at their positions; see {@code Ledger.appendRecorded}. */
    CompletableFuture<AppendResult> appendRecorded(List<RecordedEvent> recorded, Transaction asParts) {
        AppendResult result;
        long ticket;
        EncodedEvents encoded = encode(asParts, recorded.get(0).producerId());
        appendLock.lock();
        try {
            ensureWritable();
            try {
                result = step.appendRecorded(journal, recorded, asParts, encoded);
            } catch (IOException e) {
                throw failed(e);
            }
            ticket = ticketFor(true);
        } finally {
            appendLock.unlock();
        }
        afterWrite(encoded);
        return whenDurable(result, ticket);
    }

    private <T> CompletableFuture<T> whenDurable(T result, long ticket) {
        if (ticket <= 0) {
            return CompletableFuture.completedFuture(result);
        }
        CompletableFuture<T> future = new CompletableFuture<>();
        committer.completeWhenSynced(ticket, future, result);
        return future;
    }

    /** This thread's encoding of the events of an append: {@code events}, or when null the one {@code event}. */
    private EncodedEvents encode(String stream, List<EventData> events, EventData event) {
        EncodedEvents encoded = ENCODED.get().clear();
        return events != null ? encoded.add(stream, events, producerId) : encoded.add(stream, event, producerId);
    }

    /** This thread's encoding of a transaction's events, part after part. */
    private static EncodedEvents encode(Transaction transaction, String producer) {
        EncodedEvents encoded = ENCODED.get().clear();
        for (Transaction.Part part : transaction.parts()) {
            encoded.add(part.stream(), part.events(), producer);
        }
        return encoded;
    }

    private TransactionResult writeLocked(Transaction transaction, EventRule.Requirement[][] rules,
                                          EncodedEvents encoded) {
        ensureWritable();
        try {
            return step.append(journal, transaction, rules, encoded);
        } catch (CorruptJournalException e) {
            failure = e;
            throw e;
        } catch (IOException e) {
            throw failed(e);
        }
    }

    private void writeLocked(String stream, long expectedVersion, List<EventData> events,
                             EventRule.Requirement[] rules, EncodedEvents encoded) {
        ensureWritable();
        try {
            step.append(journal, stream, expectedVersion, events, rules, encoded);
        } catch (CorruptJournalException e) {
            failure = e;
            throw e;
        } catch (IOException e) {
            throw failed(e);
        }
    }

    /** Under the lock: a write that failed fails every later one too. */
    private LedgerException failed(IOException e) {
        failure = new LedgerException("cannot write to " + journal.describe() + ": " + e.getMessage(), e);
        return failure;
    }

    /** Under the lock: the durability ticket an append must wait for (0: none); also notes due background work. */
    private long ticketFor(boolean appended) {
        checkpointer.noteAppend();
        if (committer == null || !appended) {
            return 0;
        }
        // A duplicate's original may be unsynced, even one a crashed process wrote: a sync of its own covers it.
        return committer.written();
    }

    private void afterWrite(EncodedEvents encoded) {
        encoded.trim();
        reads.wakeSubscriptions();
        checkpointer.wakeIfDue();
    }

    private void ensureWritable() {
        if (closed) {
            throw new IllegalStateException("the ledger is closed");
        }
        if (failure != null) {
            throw failure;
        }
        if (committer != null && committer.failure() != null) {
            throw committer.failure();
        }
    }

    /** The {@code global_seq} the next event gets, after following other writers' records. */
    long head() {
        appendLock.lock();
        try {
            follower.followOrFail();
            return follower.state().nextSeq();
        } finally {
            appendLock.unlock();
        }
    }

    long streamVersion(String stream) {
        appendLock.lock();
        try {
            follower.followOrFail();
            return follower.state().streams().version(stream);
        } finally {
            appendLock.unlock();
        }
    }

    /** The audit streams' names, sorted, once this process has caught up on the journal. */
    List<String> auditStreams() {
        appendLock.lock();
        try {
            follower.followOrFail();
            return follower.state().streams().auditStreams();
        } finally {
            appendLock.unlock();
        }
    }

    /** The address of the stream's last record, or -1 when it has none. */
    long streamHead(String stream) {
        appendLock.lock();
        try {
            follower.followOrFail();
            StreamIndex.Head head = follower.state().streams().get(stream);
            return head == null ? -1 : head.lastAddress;
        } finally {
            appendLock.unlock();
        }
    }

    LedgerMetrics metrics() {
        appendLock.lock();
        try {
            return step.metrics(committer == null ? 0 : committer.syncs());
        } finally {
            appendLock.unlock();
        }
    }

    /** Refuses appends, lets the last ones become durable, saves the state (unless a write failed), frees it. */
    @Override
    public void close() {
        appendLock.lock();
        try {
            closed = true;
        } finally {
            appendLock.unlock();
        }
        if (committer != null) {
            committer.close();
        }
        checkpointer.close(failure == null);
        appendLock.lock();
        try {
            step.close();
            follower.close(); // frees the off-heap indexes; appends already refuse
        } finally {
            appendLock.unlock();
        }
    }
}
