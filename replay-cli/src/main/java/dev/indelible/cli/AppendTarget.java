package dev.indelible.cli;

import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.Transaction;
import dev.indelible.ledger.TransactionResult;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Where a cluster node's appends and erasures go: the partition's writer in this process, or the
 * writer node over gRPC ({@link WriterForwarding}). Either answers as the embedded ledger would.
 *
 * <p>Implementations are thread-safe.
 */
interface AppendTarget {
    AppendResult append(String stream, long expectedVersion, List<EventData> events);

    CompletableFuture<AppendResult> appendAsync(String stream, long expectedVersion, List<EventData> events);

    TransactionResult append(Transaction transaction);

    CompletableFuture<TransactionResult> appendAsync(Transaction transaction);

    /** {@link dev.indelible.ledger.PersonalData#erase(String, String, Map)} on the writer. */
    boolean erase(String subject, String detail, Map<String, String> figures);
}
