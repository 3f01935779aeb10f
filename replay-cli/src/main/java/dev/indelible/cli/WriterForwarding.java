package dev.indelible.cli;

import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.DaemonThreads;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.InvalidEventException;
import dev.indelible.ledger.LedgerException;
import dev.indelible.ledger.Transaction;
import dev.indelible.ledger.TransactionResult;
import dev.indelible.server.IndelibleClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A follower's appends, sent to the writer node over gRPC ({@link IndelibleClient}, with the
 * cluster's forwarding token) and answered as if appended here: the writer's result, its positions
 * and refusals as values, bad input as {@link InvalidEventException}. Anything else (the writer
 * unreachable, deposed, or silent for {@value #TIMEOUT_SECONDS} s) is a {@link LedgerException},
 * which the server answers 503 {@code unavailable}: the client retries with the same event ids,
 * and the writer answers a retry of a stored append as a duplicate.
 *
 * <p>Thread-safe.
 */
final class WriterForwarding implements AppendTarget, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WriterForwarding.class);
    static final long TIMEOUT_SECONDS = 30;
    /** Below the client's own window (4,096): a caller is answered 503, not blocked, while the writer is silent. */
    static final int MAX_UNANSWERED = 2_048;
    private static final int BLOCKING_THREADS = 8;

    private final String address;
    private final IndelibleClient client;
    private final Set<CompletableFuture<?>> unanswered = ConcurrentHashMap.newKeySet();
    private final Semaphore room = new Semaphore(MAX_UNANSWERED);
    private final AtomicLong lastTokenLog = new AtomicLong();
    /** Transactions and erasures go as blocking calls, so they wait on threads of their own. */
    private final ExecutorService blockingCalls = Executors.newFixedThreadPool(BLOCKING_THREADS,
        DaemonThreads.numbered("indelible-forward-call"));

    WriterForwarding(String address, String token, Path trustedCert) {
        this.address = address;
        int colon = address.lastIndexOf(':');
        String host = address.substring(0, colon).replaceAll("^\\[|]$", "");
        int port = Integer.parseInt(address.substring(colon + 1));
        // The deadline frees a blocking call's thread when the writer falls silent: without it, eight
        // unanswered transactions would hold every thread, and the rest would wait behind them.
        this.client = (trustedCert == null ? IndelibleClient.connect(host, port, token)
            : IndelibleClient.connectTls(host, port, token, trustedCert)).callTimeout(Duration.ofSeconds(TIMEOUT_SECONDS));
    }

    String address() {
        return address;
    }

    @Override
    public AppendResult append(String stream, long expectedVersion, List<EventData> events) {
        return await(appendAsync(stream, expectedVersion, events));
    }

    @Override
    public CompletableFuture<AppendResult> appendAsync(String stream, long expectedVersion, List<EventData> events) {
        if (!room.tryAcquire()) {
            return CompletableFuture.failedFuture(full());
        }
        return answered(client.appendAsync(stream, expectedVersion, events));
    }

    @Override
    public TransactionResult append(Transaction transaction) {
        return await(appendAsync(transaction));
    }

    @Override
    public CompletableFuture<TransactionResult> appendAsync(Transaction transaction) {
        return blocking(() -> client.append(transaction));
    }

    /**
     * The writer node's erasure (its gRPC {@code Erase}, naming who asked here). Its {@code detail} is
     * the writer's own ("erase of" the subject); the writer refuses what this node would, and a retry
     * after a writer change is answered false once the erasure is there.
     */
    @Override
    public boolean erase(String subject, String detail, Map<String, String> figures) {
        Map<String, String> askedBy = new TreeMap<>(figures);
        askedBy.keySet().retainAll(Set.of("by_token", "via"));
        return await(blocking(() -> client.erase(subject, askedBy)));
    }

    /** How many forwarded calls wait for the writer's answer. */
    int unanswered() {
        return unanswered.size();
    }

    /** A blocking call to the writer on a thread of its own, answered as {@link #answered} does. */
    private <T> CompletableFuture<T> blocking(Supplier<T> call) {
        if (!room.tryAcquire()) {
            return CompletableFuture.failedFuture(full());
        }
        try {
            return answered(CompletableFuture.supplyAsync(call, blockingCalls));
        } catch (RejectedExecutionException closed) { // the writer changed since this forwarding was chosen
            room.release();
            return CompletableFuture.failedFuture(replaced());
        }
    }

    private LedgerException replaced() {
        return new LedgerException("the writer node " + address + " was replaced before it answered;"
            + " retry with the same event ids");
    }

    private LedgerException full() {
        return new LedgerException("the writer node " + address + " has " + MAX_UNANSWERED
            + " forwarded appends unanswered; retry with the same event ids");
    }

    /** The writer's answer within the timeout, its failures as the ledger's; holds a permit of {@link #room} till then. */
    private <T> CompletableFuture<T> answered(CompletableFuture<T> sent) {
        CompletableFuture<T> answer = new CompletableFuture<>();
        unanswered.add(answer);
        sent.whenComplete((result, failure) -> {
            if (failure == null) {
                answer.complete(result);
            } else {
                answer.completeExceptionally(asLedgerFailure(failure));
            }
        });
        answer.orTimeout(TIMEOUT_SECONDS, TimeUnit.SECONDS).whenComplete((result, failure) -> {
            unanswered.remove(answer);
            room.release();
        });
        return answer.handle((result, failure) -> {
            if (failure == null) {
                return result;
            }
            throw new CompletionException(asLedgerFailure(failure));
        });
    }

    private RuntimeException asLedgerFailure(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof InvalidEventException || cause instanceof LedgerException) {
            return (RuntimeException) cause;
        }
        if (cause instanceof IndelibleClient.RequestFailedException refused && isTokenRefusal(refused.code())) {
            return tokenRefused(refused);
        }
        String why = cause instanceof TimeoutException ? "no answer within " + TIMEOUT_SECONDS + " s" : cause.getMessage();
        return new LedgerException("forwarding to the writer node " + address + ": " + why, cause);
    }

    private static boolean isTokenRefusal(String code) {
        return "UNAUTHENTICATED".equals(code) || "PERMISSION_DENIED".equals(code);
    }

    /** Every forward fails alike until an operator acts, so the answer says what to do and the log says it once a minute. */
    private LedgerException tokenRefused(IndelibleClient.RequestFailedException refused) {
        String fix = "PERMISSION_DENIED".equals(refused.code())
            ? "give the cluster token the append and admin verbs on every stream (indelible token create --streams '*'"
                + " --verbs append,read,admin), and every node the same --cluster-token-file"
            : "give every node the same --cluster-token-file; the writer learns a token from the journal within a"
                + " second of its creation (a token created before tokens were replicated must be in its tokens.json)";
        LedgerException failure = new LedgerException("the writer node " + address + " refused this node's cluster token ("
            + refused.getMessage() + "): " + fix, refused);
        long now = System.nanoTime();
        long last = lastTokenLog.get();
        if ((last == 0 || now - last > TimeUnit.MINUTES.toNanos(1)) && lastTokenLog.compareAndSet(last, now)) {
            LOG.error("{}; appends sent to this node are answered 503 until then", failure.getMessage());
        }
        return failure;
    }

    private static <T> T await(CompletableFuture<T> answer) {
        try {
            return answer.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new LedgerException(e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LedgerException("interrupted while forwarding to the writer node", e);
        }
    }

    /**
     * Fails every append still unanswered (the writer changed: the clients retry them), and closes
     * the connection in the background: the client waits for its appends in flight, and a dead
     * writer never answers them.
     */
    @Override
    public void close() {
        LedgerException replaced = replaced();
        unanswered.forEach(append -> append.completeExceptionally(replaced));
        blockingCalls.shutdownNow();
        DaemonThreads.start("indelible-forward-close", client::close);
    }
}
