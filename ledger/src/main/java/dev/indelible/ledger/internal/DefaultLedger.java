package dev.indelible.ledger.internal;

import dev.indelible.ledger.AppendReceipt;
import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.EventHandler;
import dev.indelible.ledger.EventReader;
import dev.indelible.ledger.EventRule;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.LedgerException;
import dev.indelible.ledger.LedgerMetrics;
import dev.indelible.ledger.PersonalData;
import dev.indelible.ledger.RecordedEvent;
import dev.indelible.ledger.Subscription;
import dev.indelible.ledger.Transaction;
import dev.indelible.ledger.TransactionResult;
import dev.indelible.ledger.VerifyReport;
import dev.indelible.ledger.internal.keys.KeyStore;
import dev.indelible.ledger.internal.keys.PersonalSealing;
import dev.indelible.ledger.spi.Journal;
import dev.indelible.ledger.spi.SubjectKeys;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongConsumer;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ledger over any {@link Journal}, built once from a {@link JournalLoader.Loaded} state: a
 * facade over its parts. {@link AppendChecks} checks input outside any lock; {@link Appender}
 * orders this process's appends and follows other processes' under the journal's write lock,
 * so sequences, stream versions and idempotency stay exact; {@link ReadSide} serves readers and
 * subscriptions.
 *
 * <p>Thread-safe.
 */
public final class DefaultLedger implements Ledger {
    private static final Logger LOG = LoggerFactory.getLogger(DefaultLedger.class);

    private final LedgerConfig config;
    private final Journal journal;
    private final AppendChecks checks;
    private final ReadSide reads;
    private final Appender appender;
    private final PersonalSealing personal;
    /** Held while open, so a writer from another PID namespace is refused; null for other journals. */
    private final NamespaceGuard guard;
    private volatile boolean closed;

    /** @param keysDir the key store's directory; null for a ledger that keeps none (and seals nothing) */
    DefaultLedger(LedgerConfig config, Journal journal, Path stateDir, JournalLoader.Loaded loaded,
                  NamespaceGuard guard, Path keysDir) {
        this(config, journal, stateDir, loaded, guard, head -> {
            // A ledger that seals nothing may open a journal without a store (one written before them, a
            // copy of one): it has nothing to seal or open, and creates none.
            boolean empty = head == 0;
            boolean needed = keysDir != null && (empty || config.hasPersonalData() || KeyStore.exists(keysDir));
            return needed ? KeyStore.open(keysDir, empty, config.durability() != dev.indelible.ledger.Durability.MEMORY_MAPPED)
                : null;
        });
    }

    /** @param keys the keys given the journal's head once it is loaded; null from it for a ledger that keeps none */
    private DefaultLedger(LedgerConfig config, Journal journal, Path stateDir, JournalLoader.Loaded loaded,
                          NamespaceGuard guard, LongFunction<SubjectKeys> keys) {
        this.config = config;
        this.journal = journal;
        this.guard = guard;
        this.checks = new AppendChecks(config);
        this.reads = new ReadSide(journal, loaded.follower().state().positions());
        this.appender = new Appender(config, journal, stateDir, loaded, reads);
        SubjectKeys opened = null;
        try {
            opened = keys.apply(appender.head());
            this.personal = new PersonalSealing(config, opened);
            personal.attach(this, appender::exclusively);
        } catch (RuntimeException | Error e) {
            if (opened != null) {
                opened.close();
            }
            closed = true;
            reads.close();
            appender.close();
            journal.close();
            throw e;
        }
    }

    /**
     * Opens a ledger over any journal; {@code stateDir} holds its checkpoints. Damage is refused: a
     * torn end as a {@link TornTailException}, which only the embedded journal cuts.
     */
    public static Ledger open(Journal journal, Path stateDir, LedgerConfig config) {
        if (config.hasPersonalData()) {
            LOG.info("{}: personal fields are stored in clear and reservation streams named by the address on this journal:"
                + " no keys were given for it", journal.describe());
        }
        return open(journal, stateDir, config, null);
    }

    /**
     * Opens a ledger over any journal with the personal-data keys kept beside it (null: none, and
     * nothing is sealed). The ledger closes them.
     */
    public static Ledger open(Journal journal, Path stateDir, LedgerConfig config, SubjectKeys keys) {
        JournalLoader.Outcome outcome;
        try {
            outcome = JournalLoader.load(journal, new Checkpoint(stateDir));
        } catch (RuntimeException | Error e) {
            journal.close();
            closeKeys(keys);
            throw e;
        }
        if (outcome instanceof JournalLoader.Damaged damaged) {
            journal.close();
            closeKeys(keys);
            throw damaged.damage().exception();
        }
        return new DefaultLedger(config, journal, stateDir, (JournalLoader.Loaded) outcome, null, head -> keys);
    }

    private static void closeKeys(SubjectKeys keys) {
        if (keys != null) {
            keys.close();
        }
    }

    /** Verifies any journal, read-only, telling {@code progress} the events checked so far. */
    public static VerifyReport verify(Journal journal, LongConsumer progress) {
        return new JournalVerifier(journal, progress).run();
    }

    @Override
    public AppendResult append(String stream, long expectedVersion, EventData event) {
        // No list around the one event: the path allocates only the result.
        EventRule.Requirement[] rules = personal.streamNames(checks.check(stream, expectedVersion, event));
        return appender.append(personal.streamName(stream), expectedVersion, null, personal.seal(event), rules, null);
    }

    @Override
    public AppendResult append(String stream, long expectedVersion, List<EventData> events) {
        EventRule.Requirement[] rules = personal.streamNames(checks.check(stream, expectedVersion, events));
        return appender.append(personal.streamName(stream), expectedVersion, personal.seal(events), null, rules, null);
    }

    @Override
    public AppendReceipt append(String stream, long expectedVersion, EventData event, AppendReceipt receipt) {
        Objects.requireNonNull(receipt, "receipt");
        EventRule.Requirement[] rules = personal.streamNames(checks.check(stream, expectedVersion, event));
        appender.append(personal.streamName(stream), expectedVersion, null, personal.seal(event), rules, receipt);
        return receipt;
    }

    @Override
    public AppendReceipt append(String stream, long expectedVersion, List<EventData> events, AppendReceipt receipt) {
        Objects.requireNonNull(receipt, "receipt");
        EventRule.Requirement[] rules = personal.streamNames(checks.check(stream, expectedVersion, events));
        appender.append(personal.streamName(stream), expectedVersion, personal.seal(events), null, rules, receipt);
        return receipt;
    }

    @Override
    public CompletableFuture<AppendResult> appendAsync(String stream, long expectedVersion, EventData event) {
        try {
            EventRule.Requirement[] rules = personal.streamNames(checks.check(stream, expectedVersion, event));
            return appender.appendAsync(personal.streamName(stream), expectedVersion, null, personal.seal(event), rules);
        } catch (LedgerException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletableFuture<AppendResult> appendAsync(String stream, long expectedVersion, List<EventData> events) {
        try {
            EventRule.Requirement[] rules = personal.streamNames(checks.check(stream, expectedVersion, events));
            return appender.appendAsync(personal.streamName(stream), expectedVersion, personal.seal(events), null, rules);
        } catch (LedgerException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public TransactionResult append(Transaction transaction) {
        EventRule.Requirement[][] rules = personal.streamNames(checks.check(transaction));
        return appender.append(personal.seal(transaction), rules);
    }

    @Override
    public CompletableFuture<TransactionResult> appendAsync(Transaction transaction) {
        try {
            EventRule.Requirement[][] rules = personal.streamNames(checks.check(transaction));
            return appender.appendAsync(personal.seal(transaction), rules);
        } catch (LedgerException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletableFuture<AppendResult> appendRecorded(List<RecordedEvent> recorded) {
        Transaction asParts = RecordedCopy.check(recorded);
        checks.checkParts(asParts, true);
        return appender.appendRecorded(recorded, asParts);
    }

    @Override
    public List<RecordedEvent> read(long fromGlobalSeq, int limit) {
        ensureOpen();
        return reads.read(fromGlobalSeq, limit);
    }

    @Override
    public List<RecordedEvent> readStream(String stream, long fromVersion, int limit) {
        AppendChecks.checkName("stream", stream, config.maxStreamBytes());
        ensureOpen();
        String stored = personal.streamName(stream);
        long lastAddress = appender.streamHead(stored);
        return lastAddress < 0 ? List.of() : reads.readStream(stored, lastAddress, fromVersion, limit);
    }

    @Override
    public long streamVersion(String stream) {
        AppendChecks.checkName("stream", stream, config.maxStreamBytes());
        ensureOpen();
        return appender.streamVersion(personal.streamName(stream));
    }

    @Override
    public PersonalData personalData() {
        return personal;
    }

    @Override
    public List<String> auditStreams() {
        ensureOpen();
        return appender.auditStreams();
    }

    @Override
    public EventReader openReader(long fromGlobalSeq) {
        ensureOpen();
        return reads.openReader(fromGlobalSeq);
    }

    @Override
    public Subscription subscribe(long fromGlobalSeq, EventHandler handler) {
        ensureOpen();
        return reads.subscribe(fromGlobalSeq, handler);
    }

    @Override
    public long head() {
        ensureOpen();
        return appender.head();
    }

    @Override
    public VerifyReport verify(LongConsumer progress) {
        ensureOpen();
        return new JournalVerifier(journal, progress).run();
    }

    @Override
    public LedgerMetrics metrics() {
        return appender.metrics();
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

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        reads.close();
        appender.close();
        personal.close(); // before the journal: Kafka's keys may still commit a tombstone through it
        journal.close();
        if (guard != null) {
            guard.close();
        }
    }
}
