package dev.indelible.ledger;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.LongConsumer;

/**
 * A journal's ledgers, one per partition, and which of them holds each stream: what a server or a
 * projection engine runs over whatever the journal. A plain {@link Ledger} is one partition
 * ({@link #of}); ledger-kafka's {@code PartitionedLedger} is P of them, routed by its partition rule.
 * The audit trail ({@link Operations#STREAM_PREFIX} streams) is always in partition 0.
 *
 * <p>Each partition has its own dense {@code global_seq}: there is no order across partitions, so a
 * position over all of them is a {@link PartitionPositions}, one {@code global_seq} per partition
 * (with one partition, the ledger's own {@code global_seq}).
 *
 * <p>Thread-safe, as its ledgers are. Closing it closes every partition's ledger.
 */
public interface LedgerPartitions extends AutoCloseable {

    /** One ledger as a journal of one partition: every stream is in it. */
    static LedgerPartitions of(Ledger ledger) {
        return new SinglePartition(ledger);
    }

    /** Every partition's ledger, partition p at index p. */
    List<Ledger> ledgers();

    /** The number of partitions. */
    default int count() {
        return ledgers().size();
    }

    /** The partition holding {@code stream}. */
    int partitionOf(String stream);

    /** The ledger holding {@code stream}: for reading it. */
    default Ledger ledgerOf(String stream) {
        return ledgers().get(partitionOf(stream));
    }

    /** Partition 0's ledger, which holds the audit trail: for recording and reading operations. */
    default Ledger auditLedger() {
        return ledgers().get(0);
    }

    /**
     * The ledger to append {@code events} to {@code stream} through.
     *
     * @throws InvalidEventException naming the field when a stream the events' rules check
     *                               ({@link EventRule}) is in another partition; nothing is written
     */
    Ledger ledgerFor(String stream, List<EventData> events);

    /**
     * The ledger to append {@code transaction} through: the one partition of all its streams.
     *
     * @throws InvalidEventException naming the field and both streams when its parts or conditions
     *                               fall in two partitions; nothing is written
     */
    Ledger ledgerFor(Transaction transaction);

    /**
     * For a journal several nodes serve ({@code indelible serve --cluster}): each partition's writer
     * node as this node last learned it, partition p at index p, its address, or empty while none is
     * elected. An empty list for a journal whose appends this process writes itself, or reads only.
     */
    default List<Optional<String>> writers() {
        return List.of();
    }

    /** The {@code global_seq} each partition gives its next event. */
    default PartitionPositions head() {
        long[] heads = new long[count()];
        for (int p = 0; p < heads.length; p++) {
            heads[p] = ledgers().get(p).head();
        }
        return PartitionPositions.of(heads);
    }

    /** The events in the journal: its head, or over several partitions the sum of theirs. */
    default long events() {
        long events = 0;
        for (Ledger ledger : ledgers()) {
            events += ledger.head();
        }
        return events;
    }

    /**
     * Verifies every partition in turn ({@link Ledger#verify(LongConsumer)}) as one report: the
     * events and records of all, and each problem with its partition in its location when there are
     * several. {@code progress} is told the events checked so far over all of them.
     */
    default VerifyReport verifyAll(LongConsumer progress) {
        if (count() == 1) {
            return ledgers().get(0).verify(progress);
        }
        long events = 0;
        long records = 0;
        List<VerifyReport.Problem> problems = new ArrayList<>();
        for (int p = 0; p < count(); p++) {
            long before = events;
            VerifyReport report = ledgers().get(p).verify(checked -> progress.accept(before + checked));
            events += report.eventsChecked();
            records += report.records();
            for (VerifyReport.Problem problem : report.problems()) {
                problems.add(new VerifyReport.Problem(problem.kind(), problem.globalSeq(),
                    "partition " + p + ": " + problem.location(), problem.detail()));
            }
        }
        return new VerifyReport(events, records, problems);
    }

    /** A pull cursor over every partition from {@code from}: see {@link PartitionedReader}. */
    default PartitionedReader openReader(PartitionPositions from) {
        return PartitionedReader.open(ledgers(), from);
    }

    /** Closes every partition's ledger. */
    @Override
    void close();

    /** {@link LedgerPartitions#of}: one ledger, one partition. */
    record SinglePartition(Ledger ledger) implements LedgerPartitions {
        @Override
        public List<Ledger> ledgers() {
            return List.of(ledger);
        }

        @Override
        public int partitionOf(String stream) {
            return 0;
        }

        @Override
        public Ledger ledgerFor(String stream, List<EventData> events) {
            return ledger;
        }

        @Override
        public Ledger ledgerFor(Transaction transaction) {
            return ledger;
        }

        @Override
        public void close() {
            ledger.close();
        }
    }
}
