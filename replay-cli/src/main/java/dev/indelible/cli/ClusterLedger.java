package dev.indelible.cli;

import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.EventHandler;
import dev.indelible.ledger.EventReader;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.LedgerMetrics;
import dev.indelible.ledger.PersonalData;
import dev.indelible.ledger.RecordedEvent;
import dev.indelible.ledger.Subscription;
import dev.indelible.ledger.Transaction;
import dev.indelible.ledger.TransactionResult;
import dev.indelible.ledger.VerifyReport;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongConsumer;

/**
 * A cluster node's ledger of one partition: reads, subscriptions and the projections from a read-only
 * ledger that follows the partition's committed events; appends and erasures to whatever {@link ClusterPartition}
 * says is the writer now (its own, or the writer node's, forwarded). So the server, the
 * projections and the console run on any node unchanged. Reads see an append once it is committed
 * and fetched, a few milliseconds after it was acknowledged, on the writer node too.
 *
 * <p>Thread-safe. Closing it closes nothing: the node owns the ledgers.
 */
final class ClusterLedger implements Ledger {
    private final ClusterPartition partition;
    private final Ledger reads;

    private final PersonalData personalData;

    ClusterLedger(ClusterPartition partition, Ledger reads) {
        this.partition = partition;
        this.reads = reads;
        this.personalData = new ClusterPersonalData(partition, reads);
    }

    @Override
    public AppendResult append(String stream, long expectedVersion, List<EventData> events) {
        return partition.target().append(stream, expectedVersion, events);
    }

    @Override
    public AppendResult append(String stream, long expectedVersion, EventData event) {
        return append(stream, expectedVersion, List.of(event));
    }

    @Override
    public CompletableFuture<AppendResult> appendAsync(String stream, long expectedVersion, List<EventData> events) {
        return partition.target().appendAsync(stream, expectedVersion, events);
    }

    @Override
    public CompletableFuture<AppendResult> appendAsync(String stream, long expectedVersion, EventData event) {
        return appendAsync(stream, expectedVersion, List.of(event));
    }

    @Override
    public TransactionResult append(Transaction transaction) {
        return partition.target().append(transaction);
    }

    @Override
    public CompletableFuture<TransactionResult> appendAsync(Transaction transaction) {
        return partition.target().appendAsync(transaction);
    }

    @Override
    public CompletableFuture<AppendResult> appendRecorded(List<RecordedEvent> events) {
        return partition.localWriter().appendRecorded(events);
    }

    @Override
    public List<RecordedEvent> read(long fromGlobalSeq, int limit) {
        return reads.read(fromGlobalSeq, limit);
    }

    @Override
    public List<RecordedEvent> readStream(String stream, long fromVersion, int limit) {
        return reads.readStream(stream, fromVersion, limit);
    }

    @Override
    public long streamVersion(String stream) {
        return reads.streamVersion(stream);
    }

    @Override
    public EventReader openReader(long fromGlobalSeq) {
        return reads.openReader(fromGlobalSeq);
    }

    @Override
    public Subscription subscribe(long fromGlobalSeq, EventHandler handler) {
        return reads.subscribe(fromGlobalSeq, handler);
    }

    @Override
    public List<String> auditStreams() {
        return reads.auditStreams();
    }

    @Override
    public long head() {
        return reads.head();
    }

    @Override
    public VerifyReport verify(LongConsumer progress) {
        return reads.verify(progress);
    }

    /** The writer's counts on the writer node (appends, syncs); the reader's elsewhere. */
    @Override
    public LedgerMetrics metrics() {
        Ledger writer = partition.writerOrNull();
        return writer != null ? writer.metrics() : reads.metrics();
    }

    /**
     * Erasures go where appends go: into the writer's transactions on the writer node, forwarded to
     * the writer node elsewhere. Everything else (opening sealed values, naming reservations) is this
     * node's: the writer's here, the reader's elsewhere, which follows the keys in the keys topic.
     */
    @Override
    public PersonalData personalData() {
        return personalData;
    }

    @Override
    public LedgerConfig config() {
        return reads.config();
    }

    @Override
    public void close() {
        // the node closes the readers and the writers
    }
}
