package dev.indelible.cli;

import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.DaemonThreads;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.JournalFullException;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerException;
import dev.indelible.ledger.Transaction;
import dev.indelible.ledger.TransactionResult;
import dev.indelible.ledger.kafka.KafkaJournalConfig;
import dev.indelible.ledger.kafka.KafkaLedger;
import dev.indelible.ledger.kafka.WriterElection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One partition of a {@link ClusterNode}: a read-only ledger following the partition for every
 * read, the partition's writer while the {@link WriterElection} has this node hold it, and
 * otherwise {@link WriterForwarding} to the node that does. While no writer is known (an election
 * in progress) appends fail with a {@link LedgerException}: 503, retried by the clients.
 *
 * <p>Thread-safe.
 */
final class ClusterPartition implements WriterElection.Role {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterPartition.class);
    private static final long CLOSE_WAIT_MILLIS = 30_000;

    private final KafkaJournalConfig kafka;
    private final int index;
    private final ClusterNode.Member member;
    private final WriterElection election;
    private final ClusterLedger ledger;
    /** This node's writer while elected, else null. */
    private volatile Local local;
    private WriterForwarding forwarding; // guarded by this
    private volatile Thread closing;
    /**
     * Over several partitions, this partition's async appends are handed to its writer on a thread of
     * its own (null over one): a writer's append waits while it commits, and the server hands a
     * request's appends over one after another, so without it an append to one partition waited for
     * another's commit, and each commit took the few that came meanwhile.
     */
    private final ExecutorService feeder;

    /**
     * @param index the partition's index in {@code election}: its journal partition over several, 0 for one
     * @param reads the partition's read-only ledger
     */
    ClusterPartition(KafkaJournalConfig kafka, int index, ClusterNode.Member member, WriterElection election, Ledger reads,
                     boolean ofSeveral) {
        this.feeder = ofSeveral
            ? Executors.newSingleThreadExecutor(DaemonThreads.named("indelible-appends-" + kafka.partition())) : null;
        this.kafka = kafka;
        this.index = index;
        this.member = member;
        this.election = election;
        this.ledger = new ClusterLedger(this, reads);
    }

    /** The partition's ledger to serve: reads here, appends to its writer. */
    Ledger ledger() {
        return ledger;
    }

    @Override
    public boolean elected() {
        long started = System.nanoTime();
        // Fences the previous writer (initTransactions), then reads the partition to its end.
        local = new Local(KafkaLedger.open(kafka, member.dataDir().resolve("cluster-writer"), member.config()));
        LOG.info("{}: this node ({}) took over as the writer in {} ms", kafka.describe(), member.advertised(),
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

    /** The partition's writer node as this node knows it: this node while it writes, or empty while none is elected. */
    Optional<String> writer() {
        return local != null ? Optional.of(member.advertised()) : election.writer(index);
    }

    /** Where an append goes now. */
    AppendTarget target() {
        Local own = local;
        if (own != null) {
            return own;
        }
        String address = election.writer(index).orElse(null);
        if (address == null || address.equals(member.advertised())) {
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
                + election.writer(index).orElse("none elected yet") + ")");
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
            forwarding = new WriterForwarding(address, member.forwardToken(), member.trustedCert());
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
        election.writerFailed(index);
    }

    /** Off the election's thread, which must go on polling; {@link #close} waits for it. */
    private void closeInBackground(Ledger writer) {
        closing = DaemonThreads.start("indelible-writer-close", () -> {
            try {
                writer.close();
            } catch (RuntimeException fenced) {
                LOG.debug("closing a deposed writer: {}", fenced.toString());
            }
        });
    }

    /** Once the election is closed (which deposed this node): waits for the writer's close, ends the forwarding. */
    void close() {
        if (feeder != null) {
            feeder.shutdown();
        }
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
            return watched(handedOver(() -> ledger.appendAsync(stream, expectedVersion, events)));
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
            return watched(handedOver(() -> ledger.appendAsync(transaction)));
        }

        @Override
        public boolean erase(String subject, String detail, Map<String, String> figures) {
            try {
                return ledger.personalData().erase(subject, detail, figures);
            } catch (RuntimeException e) {
                failed(ledger, e);
                throw e;
            }
        }

        /** Called here over one partition; over several, in order on the partition's own thread. */
        private <T> CompletableFuture<T> handedOver(Supplier<CompletableFuture<T>> append) {
            if (feeder == null) {
                return append.get();
            }
            try {
                return CompletableFuture.supplyAsync(append, feeder).thenCompose(sent -> sent);
            } catch (RejectedExecutionException closing) {
                throw new LedgerException(kafka.describe() + ": the node is stopping; retry with the same event ids", closing);
            }
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
}
