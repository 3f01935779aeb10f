package dev.indelible.ledger.internal;

import dev.indelible.ledger.AppendReceipt;
import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.CorruptJournalException;
import dev.indelible.ledger.Durability;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.EventHandler;
import dev.indelible.ledger.EventReader;
import dev.indelible.ledger.EventRule;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.LedgerException;
import dev.indelible.ledger.LedgerMetrics;
import dev.indelible.ledger.RecordedEvent;
import dev.indelible.ledger.Subscription;
import dev.indelible.ledger.VerifyReport;
import dev.indelible.ledger.internal.chronicle.ChronicleJournal;
import dev.indelible.ledger.spi.Journal;
import dev.indelible.ledger.spi.JournalCursor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ledger over any {@link Journal}. Appends from this process's threads are serialised by one
 * lock; appends from other processes by the journal's write lock, under which this process first
 * catches up on what the others committed, so sequences, stream versions and idempotency stay exact.
 *
 * <p>Thread-safe.
 */
public final class DefaultLedger implements Ledger {
    private static final Logger LOG = LoggerFactory.getLogger(DefaultLedger.class);
    private static final int MAX_IDLE_CURSORS = 16;

    private final LedgerConfig config;
    private final Journal journal;
    private final Checkpoint checkpoint;
    private final AppendChecks checks;
    private final GroupCommitter committer;
    private final ReentrantLock lock = new ReentrantLock();
    private final WriteStep step;
    private final Set<FollowingSubscription> subscriptions = ConcurrentHashMap.newKeySet();
    /** Opening a Chronicle tailer costs 100 to 250 us: reads borrow idle cursors instead. */
    private final ConcurrentLinkedQueue<JournalCursor> idleCursors = new ConcurrentLinkedQueue<>();
    /** Stream reads follow the writer's index, which may point at records not synced yet. */
    private final ConcurrentLinkedQueue<JournalCursor> idleWriterCursors = new ConcurrentLinkedQueue<>();
    /** Writes checkpoints and doubles the event id table, beside the appends. */
    private final Thread checkpointer;
    private volatile boolean closed;
    /** Held while open, so a writer from another PID namespace is refused; null for other journals. */
    private NamespaceGuard guard;
    private LedgerException failure;
    /** Written by the checkpoint thread, read by appenders. */
    private volatile long checkpointedSeq;
    /** A quarter of what the journal writes per event of a 128-byte payload. */
    static final long CHECKPOINT_BYTES_PER_EVENT = 64;
    /** Under the lock: where the last checkpoint began, so appends during its write do not ask for another. */
    private long checkpointStartedSeq;
    private volatile boolean checkpointWanted;
    /**
     * Events between checkpoints: the configured interval, or more once checkpoints are large, so a
     * checkpoint writes at most {@link #CHECKPOINT_BYTES_PER_EVENT} per event appended since the last.
     */
    private volatile long checkpointEvery;
    /** Set under the lock when the event id table is half full: the checkpoint thread doubles it. */
    private volatile boolean indexGrowthWanted;

    private DefaultLedger(LedgerConfig config, Journal journal, Path stateDir) {
        this.config = config;
        this.journal = journal;
        this.checkpoint = new Checkpoint(stateDir);
        this.checks = new AppendChecks(config);
        this.step = new WriteStep(journal.openWriterCursor(), journal.openWriterCursor(), config);
        this.committer = config.durability() == Durability.SYNC
            ? new GroupCommitter(journal, "indelible-group-commit") : null;
        this.checkpointer = new Thread(this::runCheckpoints, "indelible-checkpoint");
        checkpointer.setDaemon(true);
    }

    /** Opens the embedded ledger: a Chronicle Queue journal in {@code dataDir/journal}. */
    public static Ledger open(Path dataDir, LedgerConfig config) {
        return EmbeddedOpen.open(dataDir, config);
    }

    DefaultLedger(LedgerConfig config, Journal journal, Path stateDir, NamespaceGuard guard) {
        this(config, journal, stateDir);
        this.guard = guard;
    }

    /** Where the journal's end must be cut after recovery (see {@link TornTail#incompleteEnd}), or -1. */
    long endToCut(ChronicleJournal chronicle, Path journalDir) {
        return TornTail.incompleteEnd(chronicle, journalDir, step);
    }

    long nextSeq() {
        return step.state == null ? 0 : step.state.nextSeq;
    }

    /** Starts the background work of a ledger whose recovery succeeded. */
    void start() {
        checkpointer.start();
    }

    /** Verifies the journal in {@code dataDir} without the writer's state: see {@link Ledger#verify(Path)}. */
    public static VerifyReport verify(Path dataDir) {
        DataDirectory directory = DataDirectory.prepare(dataDir);
        try (Journal journal = new ChronicleJournal(directory.journalDir(), dev.indelible.ledger.RollCycle.DAILY)) {
            return new JournalVerifier(journal).run();
        }
    }

    /** Verifies any journal, read-only. */
    public static VerifyReport verify(Journal journal) {
        return new JournalVerifier(journal).run();
    }

    /** Opens a ledger over any journal; {@code stateDir} holds its checkpoints. */
    public static Ledger open(Journal journal, Path stateDir, LedgerConfig config) {
        DefaultLedger ledger = new DefaultLedger(config, journal, stateDir);
        try {
            ledger.recover();
        } catch (RuntimeException e) {
            ledger.releaseAfterFailedOpen();
            throw e;
        }
        ledger.start();
        return ledger;
    }

    void recover() {
        long started = System.nanoTime();
        LedgerState saved;
        try {
            saved = checkpoint.load();
        } catch (IOException e) {
            saved = null;
        }
        lock.lock();
        try {
            boolean fromCheckpoint = saved != null && step.resumeFrom(saved);
            if (!fromCheckpoint) {
                if (saved != null) {
                    LOG.warn("checkpoint in {} does not match the journal; rebuilding the indexes from the whole journal",
                        journal.describe());
                    saved.close();
                }
                step.resumeFrom(new LedgerState());
            }
            checkpointedSeq = fromCheckpoint ? saved.nextSeq : 0;
            checkpointStartedSeq = checkpointedSeq;
            long tail = step.catchUp();
            checkpointEvery = spacingFor(checkpoint.size());
            checkpointWanted = step.state.nextSeq - checkpointedSeq >= checkpointEvery;
            LOG.info("opened {}: {} events, {} streams; indexes from {}, {} events scanned, in {} ms", journal.describe(),
                step.state.nextSeq, step.state.streams.size(), fromCheckpoint ? "the checkpoint" : "a full scan",
                tail, (System.nanoTime() - started) / 1_000_000);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public AppendResult append(String stream, long expectedVersion, EventData event) {
        // No list around the one event: the path allocates only the result.
        EventRule.Requirement[] rules = checks.check(stream, expectedVersion, event);
        return writeAndAwait(stream, expectedVersion, null, event, rules, null);
    }

    @Override
    public AppendResult append(String stream, long expectedVersion, List<EventData> events) {
        EventRule.Requirement[] rules = checks.check(stream, expectedVersion, events);
        return writeAndAwait(stream, expectedVersion, events, null, rules, null);
    }

    @Override
    public AppendReceipt append(String stream, long expectedVersion, EventData event, AppendReceipt receipt) {
        Objects.requireNonNull(receipt, "receipt");
        EventRule.Requirement[] rules = checks.check(stream, expectedVersion, event);
        writeAndAwait(stream, expectedVersion, null, event, rules, receipt);
        return receipt;
    }

    @Override
    public AppendReceipt append(String stream, long expectedVersion, List<EventData> events, AppendReceipt receipt) {
        Objects.requireNonNull(receipt, "receipt");
        EventRule.Requirement[] rules = checks.check(stream, expectedVersion, events);
        writeAndAwait(stream, expectedVersion, events, null, rules, receipt);
        return receipt;
    }

    /**
     * {@link #write} for a caller that blocks: no {@link Written} to carry the ticket. Fills
     * {@code receipt} when given, allocating nothing; else returns the outcome as a new value.
     */
    private AppendResult writeAndAwait(String stream, long expectedVersion, List<EventData> events, EventData event,
                                       EventRule.Requirement[] rules, AppendReceipt receipt) {
        AppendResult result = null;
        long ticket;
        lock.lock();
        try {
            writeLocked(stream, expectedVersion, events != null ? events : step.single(event), rules);
            if (receipt != null) {
                step.fill(receipt);
            } else {
                result = step.result();
            }
            ticket = ticketFor(step.appended());
        } finally {
            lock.unlock();
        }
        afterWrite();
        if (ticket > 0) {
            committer.await(ticket);
        }
        return result;
    }

    @Override
    public CompletableFuture<AppendResult> appendAsync(String stream, long expectedVersion, EventData event) {
        try {
            EventRule.Requirement[] rules = checks.check(stream, expectedVersion, event);
            return whenDurable(write(stream, expectedVersion, null, event, rules));
        } catch (LedgerException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletableFuture<AppendResult> appendAsync(String stream, long expectedVersion, List<EventData> events) {
        try {
            EventRule.Requirement[] rules = checks.check(stream, expectedVersion, events);
            return whenDurable(write(stream, expectedVersion, events, null, rules));
        } catch (LedgerException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private CompletableFuture<AppendResult> whenDurable(Written written) {
        if (written.ticket() <= 0) {
            return CompletableFuture.completedFuture(written.result());
        }
        CompletableFuture<AppendResult> future = new CompletableFuture<>();
        committer.completeWhenSynced(written.ticket(), future, written.result());
        return future;
    }

    @Override
    public CompletableFuture<AppendResult> appendRecorded(List<RecordedEvent> recorded) {
        List<EventData> events = RecordedCopy.check(recorded);
        String stream = recorded.get(0).stream();
        checks.checkInput(stream, ExpectedVersion.ANY, events);
        Written written;
        lock.lock();
        try {
            ensureWritable();
            AppendResult result;
            try {
                result = step.appendRecorded(journal, recorded, events);
            } catch (IOException e) {
                failure = new LedgerException("cannot write to " + journal.describe() + ": " + e.getMessage(), e);
                throw failure;
            }
            written = new Written(result, ticketFor(step.appended()));
        } finally {
            lock.unlock();
        }
        afterWrite();
        return whenDurable(written);
    }

    /** An append's outcome and the durability ticket it must wait for (0: none). */
    private record Written(AppendResult result, long ticket) {
    }

    /** Writes checked input: {@code events}, or when that is null the one {@code event}. */
    private Written write(String stream, long expectedVersion, List<EventData> events, EventData event,
                          EventRule.Requirement[] rules) {
        Written written;
        lock.lock();
        try {
            writeLocked(stream, expectedVersion, events != null ? events : step.single(event), rules);
            written = new Written(step.result(), ticketFor(step.appended()));
        } finally {
            lock.unlock();
        }
        afterWrite();
        return written;
    }

    private void writeLocked(String stream, long expectedVersion, List<EventData> events,
                             EventRule.Requirement[] rules) {
        ensureWritable();
        try {
            step.append(journal, stream, expectedVersion, events, rules);
        } catch (CorruptJournalException e) {
            failure = e;
            throw e;
        } catch (IOException e) {
            failure = new LedgerException("cannot write to " + journal.describe() + ": " + e.getMessage(), e);
            throw failure;
        }
    }

    /**
     * The whole index is rewritten each time, so at a fixed interval its cost per event would grow
     * with the journal (at 30 million ids, a gigabyte every 2 million events: a core of this
     * machine). Spacing checkpoints by their size keeps it constant per event; the price is a longer
     * scan of the tail when a reopen follows a crash (a clean close writes a checkpoint).
     */
    private long spacingFor(long checkpointBytes) {
        return Math.max(config.checkpointInterval(), checkpointBytes / CHECKPOINT_BYTES_PER_EVENT);
    }

    /** Under the lock: the durability ticket an append must wait for (0: none); also notes a due checkpoint. */
    private long ticketFor(boolean appended) {
        if (step.state.nextSeq - checkpointStartedSeq >= checkpointEvery) {
            checkpointWanted = true;
        }
        if (step.state.eventIds.growthDue()) {
            indexGrowthWanted = true;
        }
        if (committer == null || !appended) {
            return 0;
        }
        // A duplicate's original may be unsynced, even one a crashed process wrote: a sync of its own covers it.
        return committer.written();
    }

    private void afterWrite() {
        if (!subscriptions.isEmpty()) { // no iterator to allocate on the append path
            for (FollowingSubscription s : subscriptions) {
                s.wake();
            }
        }
        if (checkpointWanted || indexGrowthWanted) {
            LockSupport.unpark(checkpointer);
        }
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

    @Override
    public List<RecordedEvent> read(long fromGlobalSeq, int limit) {
        List<RecordedEvent> events = new ArrayList<>(Math.min(limit, 4096));
        try (EventReader reader = openReader(fromGlobalSeq)) {
            while (events.size() < limit && reader.poll(events::add, limit - events.size()) > 0) {
                // poll until the limit or the head
            }
        }
        return events;
    }

    @Override
    public List<RecordedEvent> readStream(String stream, long fromVersion, int limit) {
        AppendChecks.checkName("stream", stream, config.maxStreamBytes());
        long lastAddress;
        lock.lock();
        try {
            ensureOpen();
            step.catchUp();
            StreamIndex.Head head = step.state.streams.get(stream);
            if (head == null) {
                return List.of();
            }
            lastAddress = head.lastAddress;
        } finally {
            lock.unlock();
        }
        try (StreamReader reader = new StreamReader(borrow(idleWriterCursors, journal::openWriterCursor),
            c -> release(idleWriterCursors, c))) {
            return reader.read(lastAddress, fromVersion, limit);
        }
    }

    @Override
    public long streamVersion(String stream) {
        AppendChecks.checkName("stream", stream, config.maxStreamBytes());
        lock.lock();
        try {
            ensureOpen();
            step.catchUp();
            return step.state.streams.version(stream);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public EventReader openReader(long fromGlobalSeq) {
        ensureOpen();
        if (fromGlobalSeq < 0) {
            throw new IllegalArgumentException("fromGlobalSeq: must be >= 0, was " + fromGlobalSeq);
        }
        return new JournalEventReader(borrowCursor(), this::releaseCursor, step.state.positions, fromGlobalSeq);
    }

    private JournalCursor borrowCursor() {
        return borrow(idleCursors, journal::openCursor);
    }

    private static JournalCursor borrow(ConcurrentLinkedQueue<JournalCursor> pool, Supplier<JournalCursor> open) {
        JournalCursor cursor = pool.poll();
        return cursor != null ? cursor : open.get();
    }

    private void releaseCursor(JournalCursor cursor) {
        release(idleCursors, cursor);
    }

    private void release(ConcurrentLinkedQueue<JournalCursor> pool, JournalCursor cursor) {
        if (closed || pool.size() >= MAX_IDLE_CURSORS) {
            cursor.close();
        } else {
            pool.add(cursor);
        }
    }

    @Override
    public Subscription subscribe(long fromGlobalSeq, EventHandler handler) {
        if (handler == null) {
            throw new IllegalArgumentException("handler: is required");
        }
        FollowingSubscription subscription = new FollowingSubscription(openReader(fromGlobalSeq), handler,
            subscriptions::remove);
        subscriptions.add(subscription);
        subscription.start();
        return subscription;
    }

    @Override
    public long head() {
        lock.lock();
        try {
            ensureOpen();
            step.catchUp();
            return step.state.nextSeq;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public VerifyReport verify() {
        ensureOpen();
        return new JournalVerifier(journal).run();
    }

    @Override
    public LedgerMetrics metrics() {
        lock.lock();
        try {
            return step.metrics(committer == null ? 0 : committer.syncs());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public LedgerConfig config() {
        return config;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the ledger is closed");
        }
    }

    private void runCheckpoints() {
        while (!closed) {
            LockSupport.park(this);
            if (!closed && indexGrowthWanted) {
                growIndex();
            }
            if (!closed && checkpointWanted) {
                writeCheckpoint();
            }
        }
    }

    /** Doubles the event id table beside the appends, which wait only for the copy of one chunk at a time. */
    private void growIndex() {
        indexGrowthWanted = false;
        EventIdIndex ids;
        lock.lock();
        try {
            ids = step.state.eventIds;
        } finally {
            lock.unlock();
        }
        try {
            ids.growConcurrently(lock);
        } catch (OutOfMemoryError | RuntimeException e) {
            LOG.warn("cannot grow the event id index in the background; an append will grow it when it is full", e);
        }
    }

    /**
     * Snapshots the indexes under the lock, then writes and publishes them while appends go on:
     * the lock is taken again only to copy each chunk of an index, so appenders wait for a chunk
     * (tens of microseconds), not for the whole table.
     */
    private void writeCheckpoint() {
        LedgerState.Snapshot snapshot;
        lock.lock();
        try {
            checkpointWanted = false;
            if (failure != null || step.state.nextSeq == checkpointedSeq) {
                return;
            }
            snapshot = step.state.snapshot();
            checkpointStartedSeq = snapshot.nextSeq;
        } finally {
            lock.unlock();
        }
        Path temp;
        try {
            temp = checkpoint.writeTemp(snapshot, lock);
        } catch (IOException e) {
            LOG.warn("cannot write a checkpoint of the ledger indexes; a reopen will scan more of the journal", e);
            return;
        } finally {
            lock.lock();
            try {
                snapshot.close();
            } finally {
                lock.unlock();
            }
        }
        try {
            long bytes = Files.size(temp);
            checkpoint.publish(temp);
            checkpointedSeq = snapshot.nextSeq;
            checkpointEvery = spacingFor(bytes);
        } catch (IOException e) {
            LOG.warn("cannot publish the checkpoint {}; a reopen will scan more of the journal", temp, e);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        for (FollowingSubscription s : List.copyOf(subscriptions)) {
            s.close();
        }
        lock.lock();
        try {
            closed = true;
        } finally {
            lock.unlock();
        }
        if (committer != null) {
            committer.close();
        }
        LockSupport.unpark(checkpointer);
        joinQuietly(checkpointer);
        if (failure == null) {
            checkpointWanted = true;
            writeCheckpoint();
        }
        closeState();
        step.close();
        for (JournalCursor cursor = idleCursors.poll(); cursor != null; cursor = idleCursors.poll()) {
            cursor.close();
        }
        for (JournalCursor cursor = idleWriterCursors.poll(); cursor != null; cursor = idleWriterCursors.poll()) {
            cursor.close();
        }
        journal.close();
        if (guard != null) {
            guard.close();
        }
    }

    void releaseAfterFailedOpen() {
        closed = true;
        if (committer != null) {
            committer.close();
        }
        closeState();
        step.close();
        journal.close();
    }

    /** Frees the off-heap indexes; appends already refuse, as {@code closed} is set. */
    private void closeState() {
        lock.lock();
        try {
            if (step.state != null) {
                step.state.close();
            }
        } finally {
            lock.unlock();
        }
    }

    private static void joinQuietly(Thread thread) {
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
