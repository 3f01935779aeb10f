package dev.indelible.ledger.kafka;

import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.DaemonThreads;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.EventRule;
import dev.indelible.ledger.InvalidEventException;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.LedgerException;
import dev.indelible.ledger.LedgerPartitions;
import dev.indelible.ledger.PartitionPositions;
import dev.indelible.ledger.PartitionedEvent;
import dev.indelible.ledger.PartitionedReader;
import dev.indelible.ledger.RecordedEvent;
import dev.indelible.ledger.Subscription;
import dev.indelible.ledger.Transaction;
import dev.indelible.ledger.TransactionResult;
import dev.indelible.ledger.kafka.internal.KafkaJournal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * A journal over P partitions of one topic, for throughput: each partition is a whole
 * {@link Ledger} (its own fenced writer, its own dense {@code global_seq}, its own stream
 * versions), and the {@link PartitionRule} says which partition holds each stream. An append goes
 * to its stream's partition; a transaction, its conditions and the conditions its events' rules
 * add ({@link EventRule}) must all fall in one partition, or it is refused before anything is
 * written, naming both streams and partitions.
 *
 * <p>Reads of one stream go to its partition. Reads and subscriptions over every partition give
 * each partition's events in that partition's order and <em>no order across partitions</em>: their
 * position is a {@link PartitionPositions}, one {@code global_seq} per partition, never one number.
 *
 * <pre>{@code
 * PartitionedJournalConfig kafka = PartitionedJournalConfig.parse("kafka://127.0.0.1:9092/indelible?partitions=3");
 * try (PartitionedLedger ledger = PartitionedLedger.open(kafka, Path.of("indelible-data"), config)) {
 *     ledger.append("selfies-user-42", ExpectedVersion.ANY, event);     // to partition ledger.partitionOf(...)
 * }
 * }</pre>
 *
 * <p>Thread-safe, as each partition's ledger is.
 */
public final class PartitionedLedger implements LedgerPartitions, AutoCloseable {
    private final PartitionRule rule;
    private final LedgerConfig config;
    private final List<Ledger> partitions;

    private PartitionedLedger(PartitionRule rule, LedgerConfig config, List<Ledger> partitions) {
        this.rule = rule;
        this.config = config;
        this.partitions = List.copyOf(partitions);
    }

    /**
     * Routes by {@code rule} over ledgers the caller opened, one per partition in partition order:
     * some writers and some read-only ledgers when the writers are spread over nodes, or each
     * partition's ledger of a cluster node (appending through that partition's elected writer).
     * Closing it closes them.
     *
     * @param config the configuration the ledgers were opened with: its event rules say which other
     *               streams an event checks, which must be in its partition too
     */
    public static PartitionedLedger over(PartitionRule rule, List<Ledger> partitions, LedgerConfig config) {
        if (partitions.size() != rule.partitions()) {
            throw new IllegalArgumentException("partitions: the rule has " + rule.partitions() + ", but "
                + partitions.size() + " ledgers were given");
        }
        return new PartitionedLedger(rule, config, partitions);
    }

    /**
     * Checks (or creates, with P partitions) the topic, refusing one with another partition count,
     * then opens every partition's writer as {@link KafkaLedger#open} does.
     *
     * @param dataDir local directory for each partition's checkpoints (a cache, never the truth)
     */
    public static PartitionedLedger open(PartitionedJournalConfig journal, Path dataDir, LedgerConfig config) {
        KafkaJournal.ensureTopic(journal.journal(), journal.partitions());
        return open(journal, p -> KafkaLedger.open(journal.partition(p), dataDir, config), config);
    }

    /**
     * Opens every partition to read only, as {@link KafkaLedger#openReadOnly} does: committed
     * events, no fencing, beside the writers. Appends fail, saying the ledger was opened to read.
     * The topic must exist with exactly P partitions.
     */
    public static PartitionedLedger openReadOnly(PartitionedJournalConfig journal, Path dataDir, LedgerConfig config) {
        KafkaJournal.ensureTopic(journal.journal().withCreateTopic(false), journal.partitions());
        return open(journal, p -> KafkaLedger.openReadOnly(journal.partition(p), dataDir, config), config);
    }

    private static PartitionedLedger open(PartitionedJournalConfig journal, IntFunction<Ledger> openPartition,
                                          LedgerConfig config) {
        // Together: each open fences and reads its partition to the end, which takes a round trip or more.
        ExecutorService pool = Executors.newFixedThreadPool(journal.partitions(), DaemonThreads.numbered("partition-open"));
        List<CompletableFuture<Ledger>> opening = new ArrayList<>();
        try {
            for (int p = 0; p < journal.partitions(); p++) {
                int partition = p;
                opening.add(CompletableFuture.supplyAsync(() -> openPartition.apply(partition), pool));
            }
            CompletableFuture.allOf(opening.toArray(CompletableFuture[]::new)).exceptionally(e -> null).join();
        } finally {
            pool.shutdown();
        }
        List<Ledger> opened = new ArrayList<>();
        RuntimeException failed = null;
        for (CompletableFuture<Ledger> one : opening) {
            try {
                opened.add(one.join());
            } catch (CompletionException e) {
                failed = failed != null ? failed
                    : e.getCause() instanceof RuntimeException r ? r : new LedgerException(e.getCause().getMessage(), e.getCause());
            }
        }
        if (failed != null) {
            opened.forEach(Ledger::close);
            throw failed;
        }
        return new PartitionedLedger(journal.rule(), config, opened);
    }

    public PartitionRule rule() {
        return rule;
    }

    public int partitions() {
        return partitions.size();
    }

    /** The partition holding {@code stream}. */
    @Override
    public int partitionOf(String stream) {
        return rule.partitionOf(stream);
    }

    /**
     * Partition {@code p}'s own ledger: its {@code global_seq}, reads, subscriptions, verify, and a
     * projection's source. Appending through it skips the rule: append here instead.
     */
    public Ledger partition(int p) {
        return partitions.get(p);
    }

    /**
     * Every partition's own ledger, partition p at index p: what a projection engine follows
     * ({@code ProjectionEngine.start(ledger.ledgers(), dir, projections)}), one checkpoint per partition.
     */
    @Override
    public List<Ledger> ledgers() {
        return List.copyOf(partitions);
    }

    /** {@link Ledger#append(String, long, List)} on the stream's partition. */
    public AppendResult append(String stream, long expectedVersion, List<EventData> events) {
        return ledgerFor(stream, events).append(stream, expectedVersion, events);
    }

    public AppendResult append(String stream, long expectedVersion, EventData event) {
        return append(stream, expectedVersion, List.of(event));
    }

    /** {@link Ledger#appendAsync(String, long, List)} on the stream's partition. */
    public CompletableFuture<AppendResult> appendAsync(String stream, long expectedVersion, List<EventData> events) {
        return ledgerFor(stream, events).appendAsync(stream, expectedVersion, events);
    }

    public CompletableFuture<AppendResult> appendAsync(String stream, long expectedVersion, EventData event) {
        return appendAsync(stream, expectedVersion, List.of(event));
    }

    /** {@link Ledger#append(Transaction)} on the one partition all its streams are in. */
    public TransactionResult append(Transaction transaction) {
        return ledgerFor(transaction).append(transaction);
    }

    public CompletableFuture<TransactionResult> appendAsync(Transaction transaction) {
        return ledgerFor(transaction).appendAsync(transaction);
    }

    /** {@link Ledger#readStream} on the stream's partition. */
    public List<RecordedEvent> readStream(String stream, long fromVersion, int limit) {
        return partitions.get(partitionOf(stream)).readStream(stream, fromVersion, limit);
    }

    /** {@link Ledger#streamVersion} on the stream's partition. */
    public long streamVersion(String stream) {
        return partitions.get(partitionOf(stream)).streamVersion(stream);
    }

    /**
     * Up to {@code limit} events from {@code from}, as one {@link PartitionedReader#poll} gives them:
     * each partition's in its order, the partitions taken in turn one event at a time, with no order
     * across them. Resume from {@code from.after(events)}.
     */
    public List<PartitionedEvent> read(PartitionPositions from, int limit) {
        List<PartitionedEvent> events = new ArrayList<>();
        try (PartitionedReader reader = openReader(from)) {
            reader.poll((partition, e) -> events.add(new PartitionedEvent(partition, e)), limit);
        }
        return events;
    }

    /**
     * Delivers every partition's events from {@code from}, then follows their appends: each
     * partition on its own thread, in its order, so {@code handler} must be thread-safe.
     */
    public PartitionedSubscription subscribe(PartitionPositions from, Consumer<PartitionedEvent> handler) {
        from.requirePartitions(partitions.size());
        List<Subscription> each = new ArrayList<>();
        try {
            for (int p = 0; p < partitions.size(); p++) {
                int partition = p;
                each.add(partitions.get(p).subscribe(from.next(p), e -> handler.accept(new PartitionedEvent(partition, e))));
            }
        } catch (RuntimeException e) {
            each.forEach(Subscription::close);
            throw e;
        }
        return new PartitionedSubscription(each);
    }

    /** Closes every partition's ledger. */
    @Override
    public void close() {
        RuntimeException failed = null;
        for (Ledger ledger : partitions) {
            try {
                ledger.close();
            } catch (RuntimeException e) {
                failed = failed == null ? e : failed;
            }
        }
        if (failed != null) {
            throw failed;
        }
    }

    /** The stream's partition's ledger, once the streams its events' rules check are found there too. */
    @Override
    public Ledger ledgerFor(String stream, List<EventData> events) {
        if (stream == null) {
            return partitions.get(0); // the ledger names the missing stream
        }
        PartitionCheck check = new PartitionCheck(rule, stream, "stream");
        checkRules(check, events, "events");
        return partitions.get(check.partition());
    }

    /** The one partition's ledger of every stream the transaction writes or checks. */
    @Override
    public Ledger ledgerFor(Transaction transaction) {
        PartitionCheck check = null;
        List<Transaction.Part> parts = transaction.parts() == null ? List.of() : transaction.parts();
        for (int i = 0; i < parts.size(); i++) {
            Transaction.Part part = parts.get(i);
            if (part != null && part.stream() != null) {
                String field = "parts[" + i + "].stream";
                check = check == null ? new PartitionCheck(rule, part.stream(), field) : check.and(part.stream(), field);
            }
        }
        if (check == null) {
            return partitions.get(0); // nothing to route: the ledger names what is missing
        }
        for (int i = 0; i < parts.size(); i++) {
            if (parts.get(i) != null) {
                checkRules(check, parts.get(i).events(), "parts[" + i + "].events");
            }
        }
        List<Transaction.Condition> conditions = transaction.conditions() == null ? List.of() : transaction.conditions();
        for (int i = 0; i < conditions.size(); i++) {
            if (conditions.get(i) != null && conditions.get(i).stream() != null) {
                check.and(conditions.get(i).stream(), "conditions[" + i + "].stream");
            }
        }
        return partitions.get(check.partition());
    }

    /** The conditions the events' rules add must be in the partition too. */
    private void checkRules(PartitionCheck check, List<EventData> events, String field) {
        if (events == null) {
            return;
        }
        for (int i = 0; i < events.size(); i++) {
            EventData event = events.get(i);
            EventRule rule = event == null || event.type() == null ? null : config.rule(event.type());
            if (rule == null) {
                continue;
            }
            EventRule.Requirement requirement;
            try {
                requirement = rule.require(event);
            } catch (RuntimeException e) {
                continue; // a payload the rule cannot place: the partition's ledger refuses it, naming the field
            }
            for (EventRule.Condition condition : requirement.conditions()) {
                check.and(condition.stream(), field + "[" + i + "]." + condition.field());
            }
        }
    }

    /** The partition of the first stream seen; refuses any other stream not in it. */
    private static final class PartitionCheck {
        private final PartitionRule rule;
        private final String stream;
        private final String field;
        private final int partition;

        PartitionCheck(PartitionRule rule, String stream, String field) {
            this.rule = rule;
            this.stream = stream;
            this.field = field;
            this.partition = rule.partitionOf(stream);
        }

        int partition() {
            return partition;
        }

        PartitionCheck and(String other, String otherField) {
            int otherPartition = rule.partitionOf(other);
            if (otherPartition != partition) {
                throw new InvalidEventException(otherField, "'" + other + "' is in partition " + otherPartition + " (key '"
                    + rule.keyOf(other) + "') but " + field + " '" + stream + "' is in partition " + partition + " (key '"
                    + rule.keyOf(stream) + "'): a transaction and its conditions stay within one partition; give streams"
                    + " that must be checked together one key (partition.keys)");
            }
            return this;
        }
    }
}
