package dev.indelible.cli;

import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.DaemonThreads;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.JournalFullException;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.LedgerException;
import dev.indelible.ledger.Transaction;
import dev.indelible.ledger.TransactionResult;
import dev.indelible.ledger.kafka.KafkaJournalConfig;
import dev.indelible.ledger.kafka.KafkaLedger;
import dev.indelible.ledger.kafka.WriterElection;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code indelible serve --cluster} node: a read-only ledger following the partition for every
 * read, a place in the partition's {@link WriterElection}, the partition's writer while elected,
 * and otherwise {@link WriterForwarding} to the node that is. While no writer is known (an
 * election in progress) appends fail with a {@link LedgerException}: 503, retried by the clients.
 *
 * <p>Thread-safe.
 */
final class ClusterNode implements WriterElection.Role, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterNode.class);
    private static final long CLOSE_WAIT_MILLIS = 30_000;

    private final KafkaJournalConfig kafka;
    private final Path dataDir;
    private final LedgerConfig config;
    private final String advertised;
    private final String forwardToken;
    private final Path trustedCert;
    private final Ledger reads;
    private final ClusterLedger ledger;
    private volatile WriterElection election;
    /** This node's writer while elected, else null. */
    private volatile Local local;
    private WriterForwarding forwarding; // guarded by this
    private volatile Thread closing;

    private ClusterNode(KafkaJournalConfig kafka, Path dataDir, LedgerConfig config, String advertised,
                        String forwardToken, Path trustedCert, Ledger reads) {
        this.kafka = kafka;
        this.dataDir = dataDir;
        this.config = config;
        this.advertised = advertised;
        this.forwardToken = forwardToken;
        this.trustedCert = trustedCert;
        this.reads = reads;
        this.ledger = new ClusterLedger(this, reads);
    }

    /**
     * Joins the election for {@code kafka}'s partition (creating its topics when absent), then opens
     * the reader. {@code advertised} is this node's gRPC address as the other nodes reach it.
     */
    static ClusterNode start(KafkaJournalConfig kafka, Path dataDir, LedgerConfig config, WriterElection.Settings settings,
                             String advertised, String forwardToken, Path trustedCert) {
        Holder holder = new Holder();
        WriterElection election = WriterElection.join(kafka, settings, advertised, holder);
        try {
            Ledger reads = KafkaLedger.openReadOnly(kafka, dataDir, config);
            ClusterNode node = new ClusterNode(kafka, dataDir, config, advertised, forwardToken, trustedCert, reads);
            node.election = election;
            holder.node(node);
            return node;
        } catch (RuntimeException e) {
            election.close();
            throw e;
        }
    }

    /** The ledger to serve. */
    Ledger ledger() {
        return ledger;
    }

    @Override
    public boolean elected() {
        long started = System.nanoTime();
        // Fences the previous writer (initTransactions), then reads the partition to its end.
        local = new Local(KafkaLedger.open(kafka, dataDir.resolve("cluster-writer"), config));
        LOG.info("{}: this node ({}) took over as the writer in {} ms", kafka.describe(), advertised,
            (System.nanoTime() - started) / 1_000_000);
        return true;
    }

    @Override
    public void deposed() {
        Local was = local;
        local = null; // no append reaches it from now on
        if (was != null) {
            closeInBackground(was.ledger);
        }
    }

    /**
     * Fails at once the appends forwarded to a writer that was replaced (killed, stopped, cut off):
     * it may never answer them, and their clients' retries reach the new writer. Without this they
     * waited for the forwarding timeout, or longer when no new append came to switch the forwarding.
     */
    @Override
    public void writerIs(String address) {
        synchronized (this) {
            if (forwarding == null || forwarding.address().equals(address)) {
                return;
            }
            LOG.info("{}: the writer node is now {}: appends forwarded to {} and not answered yet are answered 503"
                + " (retried)", kafka.describe(), address, forwarding.address());
            forwarding.close();
            forwarding = null;
        }
    }

    /** Where an append goes now. */
    AppendTarget target() {
        Local own = local;
        if (own != null) {
            return own;
        }
        String address = election == null ? null : election.writer().orElse(null);
        if (address == null || address.equals(advertised)) {
            throw new LedgerException(kafka.describe() + ": no writer elected yet (an election is in progress);"
                + " retry with the same event ids");
        }
        return forwardingTo(address);
    }

    /** This node's writer, for what cannot be forwarded (copying recorded events). */
    Ledger localWriter() {
        Local own = local;
        if (own == null) {
            throw new LedgerException(kafka.describe() + ": this node is not the writer; run this on the writer node ("
                + (election == null ? "none" : election.writer().orElse("none elected yet")) + ")");
        }
        return own.ledger;
    }

    Ledger writerOrNull() {
        Local own = local;
        return own == null ? null : own.ledger;
    }

    private synchronized WriterForwarding forwardingTo(String address) {
        if (forwarding == null || !forwarding.address().equals(address)) {
            if (forwarding != null) {
                forwarding.close();
            }
            forwarding = new WriterForwarding(address, forwardToken, trustedCert);
            LOG.info("{}: appends go to the writer node {}", kafka.describe(), address);
        }
        return forwarding;
    }

    /** The local writer failed (fenced, or the cluster lost): stop using it; the election reopens it if still ours. */
    private void failed(Ledger failedWriter, Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        Local own = local;
        if (!(cause instanceof LedgerException) || cause instanceof JournalFullException || own == null
            || own.ledger != failedWriter) {
            return;
        }
        local = null;
        LOG.warn("{}: this node's writer failed ({}); appends wait for the election", kafka.describe(), cause.getMessage());
        closeInBackground(failedWriter);
        election.writerFailed();
    }

    /** Off the election's thread, which must go on polling; {@link #close} waits for it. */
    private void closeInBackground(Ledger ledger) {
        closing = DaemonThreads.start("indelible-writer-close", () -> {
            try {
                ledger.close();
            } catch (RuntimeException fenced) {
                LOG.debug("closing a deposed writer: {}", fenced.toString());
            }
        });
    }

    @Override
    public void close() {
        election.close(); // deposes this node first
        Thread writerClosing = closing;
        if (writerClosing != null) {
            try {
                writerClosing.join(CLOSE_WAIT_MILLIS); // its checkpoint makes the next takeover here quick
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (this) {
            if (forwarding != null) {
                forwarding.close();
            }
        }
        reads.close();
    }

    /** Appends to this node's writer, noticing when it fails. */
    private final class Local implements AppendTarget {
        private final Ledger ledger;

        Local(Ledger ledger) {
            this.ledger = ledger;
        }

        @Override
        public AppendResult append(String stream, long expectedVersion, List<EventData> events) {
            try {
                return ledger.append(stream, expectedVersion, events);
            } catch (RuntimeException e) {
                failed(ledger, e);
                throw e;
            }
        }

        @Override
        public CompletableFuture<AppendResult> appendAsync(String stream, long expectedVersion, List<EventData> events) {
            return watched(ledger.appendAsync(stream, expectedVersion, events));
        }

        @Override
        public TransactionResult append(Transaction transaction) {
            try {
                return ledger.append(transaction);
            } catch (RuntimeException e) {
                failed(ledger, e);
                throw e;
            }
        }

        @Override
        public CompletableFuture<TransactionResult> appendAsync(Transaction transaction) {
            return watched(ledger.appendAsync(transaction));
        }

        private <T> CompletableFuture<T> watched(CompletableFuture<T> append) {
            append.whenComplete((result, failure) -> {
                if (failure != null) {
                    failed(ledger, failure);
                }
            });
            return append;
        }
    }

    /** The election's role before the node exists: the election may elect this node before the reader is open. */
    private static final class Holder implements WriterElection.Role {
        private ClusterNode node; // guarded by this

        synchronized void node(ClusterNode value) {
            node = value;
            notifyAll();
        }

        private synchronized ClusterNode awaitNode() {
            while (node == null) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new LedgerException("interrupted while starting", e);
                }
            }
            return node;
        }

        @Override
        public boolean elected() {
            return awaitNode().elected();
        }

        @Override
        public void deposed() {
            ClusterNode n = nodeOrNull();
            if (n != null) {
                n.deposed();
            }
        }

        @Override
        public void writerIs(String address) {
            ClusterNode n = nodeOrNull();
            if (n != null) {
                n.writerIs(address);
            }
        }

        private synchronized ClusterNode nodeOrNull() {
            return node;
        }
    }
}
