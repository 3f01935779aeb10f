package dev.indelible.cli;

import dev.indelible.ledger.EventData;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.LedgerException;
import dev.indelible.ledger.LedgerPartitions;
import dev.indelible.ledger.Transaction;
import dev.indelible.ledger.kafka.KafkaJournalConfig;
import dev.indelible.ledger.kafka.KafkaLedger;
import dev.indelible.ledger.kafka.PartitionedJournalConfig;
import dev.indelible.ledger.kafka.PartitionedLedger;
import dev.indelible.ledger.kafka.WriterElection;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One {@code indelible serve --cluster} node, as the journal the server runs over: a
 * {@link ClusterPartition} per partition of the journal (one, or P over a journal of several),
 * each reading its partition and appending through its writer, and one {@link WriterElection}
 * choosing every partition's writer. Over P partitions the election spreads the writers over the
 * nodes, and appends are routed to their stream's partition as on one node
 * ({@link PartitionedLedger#over}); {@link #writers()} says which node writes each partition.
 *
 * <p>Thread-safe. Closing it leaves the election (deposing this node's writers) and closes the readers.
 */
final class ClusterNode implements LedgerPartitions {
    private final WriterElection election;
    private final Runnable closeReaders;
    private final List<ClusterPartition> partitions;
    private final LedgerPartitions routing;

    /** Who this node is, as each of its partitions needs it. */
    record Member(Path dataDir, LedgerConfig config, String advertised, String forwardToken, Path trustedCert) {
    }

    private ClusterNode(WriterElection election, Runnable closeReaders, List<ClusterPartition> partitions,
                        LedgerPartitions routing) {
        this.election = election;
        this.closeReaders = closeReaders;
        this.partitions = partitions;
        this.routing = routing;
    }

    /**
     * Joins the election for {@code kafka}'s partition (creating its topics when absent), then opens
     * the reader. {@code advertised} is this node's gRPC address as the other nodes reach it.
     */
    static ClusterNode start(KafkaJournalConfig kafka, Path dataDir, LedgerConfig config, WriterElection.Settings settings,
                             String advertised, String forwardToken, Path trustedCert) {
        Member member = new Member(dataDir, config, advertised, forwardToken, trustedCert);
        List<Holder> holders = List.of(new Holder());
        WriterElection election = WriterElection.join(kafka, settings, advertised, holders.get(0));
        try {
            Ledger reads = KafkaLedger.openReadOnly(kafka, dataDir, config);
            ClusterPartition partition = new ClusterPartition(kafka, 0, member, election, reads, false);
            holders.get(0).partition(partition);
            return new ClusterNode(election, reads::close, List.of(partition), LedgerPartitions.of(partition.ledger()));
        } catch (RuntimeException e) {
            holders.forEach(Holder::abandon);
            election.close();
            throw e;
        }
    }

    /**
     * Joins the election of every partition's writer of {@code journal} (creating its topics when
     * absent), then opens every partition's reader.
     */
    static ClusterNode start(PartitionedJournalConfig journal, Path dataDir, LedgerConfig config,
                             WriterElection.Settings settings, String advertised, String forwardToken, Path trustedCert) {
        Member member = new Member(dataDir, config, advertised, forwardToken, trustedCert);
        List<Holder> holders = new ArrayList<>();
        for (int p = 0; p < journal.partitions(); p++) {
            holders.add(new Holder());
        }
        WriterElection election = WriterElection.join(journal, settings, advertised, holders);
        try {
            PartitionedLedger reads = PartitionedLedger.openReadOnly(journal, dataDir, config);
            List<ClusterPartition> partitions = new ArrayList<>();
            List<Ledger> ledgers = new ArrayList<>();
            for (int p = 0; p < journal.partitions(); p++) {
                ClusterPartition partition = new ClusterPartition(journal.partition(p), p, member, election,
                    reads.partition(p), journal.partitions() > 1);
                holders.get(p).partition(partition);
                partitions.add(partition);
                ledgers.add(partition.ledger());
            }
            return new ClusterNode(election, reads::close, List.copyOf(partitions),
                PartitionedLedger.over(journal.rule(), ledgers, config));
        } catch (RuntimeException e) {
            holders.forEach(Holder::abandon);
            election.close();
            throw e;
        }
    }

    /** Partition {@code p} of this node. */
    ClusterPartition partition(int p) {
        return partitions.get(p);
    }

    @Override
    public List<Ledger> ledgers() {
        return routing.ledgers();
    }

    @Override
    public int partitionOf(String stream) {
        return routing.partitionOf(stream);
    }

    @Override
    public Ledger ledgerFor(String stream, List<EventData> events) {
        return routing.ledgerFor(stream, events);
    }

    @Override
    public Ledger ledgerFor(Transaction transaction) {
        return routing.ledgerFor(transaction);
    }

    @Override
    public List<Optional<String>> writers() {
        return partitions.stream().map(ClusterPartition::writer).toList();
    }

    @Override
    public void close() {
        election.close(); // deposes this node's writers first
        partitions.forEach(ClusterPartition::close);
        closeReaders.run();
    }

    /** A partition's role before the partition exists: the election may elect this node before the reader is open. */
    private static final class Holder implements WriterElection.Role {
        private ClusterPartition partition; // guarded by this
        private boolean abandoned; // guarded by this

        synchronized void partition(ClusterPartition value) {
            partition = value;
            notifyAll();
        }

        /** The node failed to start: an election waiting for the partition gives up. */
        synchronized void abandon() {
            abandoned = true;
            notifyAll();
        }

        private synchronized ClusterPartition awaitPartition() {
            while (partition == null) {
                if (abandoned) {
                    throw new LedgerException("the node failed to start");
                }
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new LedgerException("interrupted while starting", e);
                }
            }
            return partition;
        }

        @Override
        public boolean elected() {
            return awaitPartition().elected();
        }

        @Override
        public void deposed() {
            ClusterPartition p = partitionOrNull();
            if (p != null) {
                p.deposed();
            }
        }

        @Override
        public void writerIs(String address) {
            ClusterPartition p = partitionOrNull();
            if (p != null) {
                p.writerIs(address);
            }
        }

        private synchronized ClusterPartition partitionOrNull() {
            return partition;
        }
    }
}
