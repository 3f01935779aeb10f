package dev.indelible.server;

import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.EventHandler;
import dev.indelible.ledger.EventReader;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.LedgerMetrics;
import dev.indelible.ledger.RecordedEvent;
import dev.indelible.ledger.Subscription;
import dev.indelible.ledger.Transaction;
import dev.indelible.ledger.TransactionResult;
import dev.indelible.ledger.VerifyReport;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * A real ledger whose async appends are acknowledged {@code delayMillis} after they are written:
 * the window in which a server can die with the event stored and the answer not sent. Prints
 * "written" when the event is stored.
 */
final class SlowAckLedger implements Ledger {
    private final Ledger ledger;
    private final long delayMillis;

    SlowAckLedger(Ledger ledger, long delayMillis) {
        this.ledger = ledger;
        this.delayMillis = delayMillis;
    }

    @Override
    public CompletableFuture<AppendResult> appendAsync(String stream, long expectedVersion, List<EventData> events) {
        CompletableFuture<AppendResult> written = ledger.appendAsync(stream, expectedVersion, events);
        written.thenRun(() -> {
            System.out.println("written"); // a test kills the process on this line, with the answer held back
            System.out.flush();
        });
        return written.thenApplyAsync(r -> r, CompletableFuture.delayedExecutor(delayMillis, TimeUnit.MILLISECONDS));
    }

    @Override
    public CompletableFuture<AppendResult> appendAsync(String stream, long expectedVersion, EventData event) {
        return appendAsync(stream, expectedVersion, List.of(event));
    }

    @Override
    public AppendResult append(String stream, long expectedVersion, List<EventData> events) {
        return ledger.append(stream, expectedVersion, events);
    }

    @Override
    public AppendResult append(String stream, long expectedVersion, EventData event) {
        return ledger.append(stream, expectedVersion, event);
    }

    @Override
    public TransactionResult append(Transaction transaction) {
        return ledger.append(transaction);
    }

    @Override
    public CompletableFuture<TransactionResult> appendAsync(Transaction transaction) {
        CompletableFuture<TransactionResult> written = ledger.appendAsync(transaction);
        written.thenRun(() -> {
            System.out.println("written");
            System.out.flush();
        });
        return written.thenApplyAsync(r -> r, CompletableFuture.delayedExecutor(delayMillis, TimeUnit.MILLISECONDS));
    }

    @Override
    public CompletableFuture<AppendResult> appendRecorded(List<RecordedEvent> events) {
        return ledger.appendRecorded(events);
    }

    @Override
    public List<RecordedEvent> read(long fromGlobalSeq, int limit) {
        return ledger.read(fromGlobalSeq, limit);
    }

    @Override
    public List<RecordedEvent> readStream(String stream, long fromVersion, int limit) {
        return ledger.readStream(stream, fromVersion, limit);
    }

    @Override
    public long streamVersion(String stream) {
        return ledger.streamVersion(stream);
    }

    @Override
    public EventReader openReader(long fromGlobalSeq) {
        return ledger.openReader(fromGlobalSeq);
    }

    @Override
    public Subscription subscribe(long fromGlobalSeq, EventHandler handler) {
        return ledger.subscribe(fromGlobalSeq, handler);
    }

    @Override
    public List<String> auditStreams() {
        return ledger.auditStreams();
    }

    @Override
    public long head() {
        return ledger.head();
    }

    @Override
    public VerifyReport verify(LongConsumer progress) {
        return ledger.verify(progress);
    }

    @Override
    public LedgerMetrics metrics() {
        return ledger.metrics();
    }

    @Override
    public dev.indelible.ledger.PersonalData personalData() {
        return ledger.personalData();
    }

    @Override
    public LedgerConfig config() {
        return ledger.config();
    }

    @Override
    public void close() {
        ledger.close();
    }
}
