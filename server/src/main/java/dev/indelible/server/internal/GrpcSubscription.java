package dev.indelible.server.internal;

import dev.indelible.ledger.LedgerPartitions;
import dev.indelible.ledger.PartitionPositions;
import dev.indelible.ledger.PartitionedReader;
import dev.indelible.ledger.PersonalData;
import dev.indelible.ledger.RecordedEvent;
import dev.indelible.server.api.Event;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * One Subscribe call on its own thread: reads the journal from the requested position, sends the
 * events the token may read, and follows the head. Sends only while the client keeps up (gRPC flow
 * control), so a slow client holds back its own stream, not the server's memory. Over several
 * partitions it follows every one, each in its order, and each event names its partition and the
 * positions past it.
 */
final class GrpcSubscription implements Runnable {
    private static final int BATCH = 256;
    private static final long IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    /** How often the token is checked again: a revoked token's subscription ends within this. */
    private static final long TOKEN_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    private final LedgerPartitions partitions;
    private final PersonalData personal;
    private final ServerCallStreamObserver<Event> call;
    private final PartitionPositions from;
    private final Predicate<RecordedEvent> visible;
    private final BooleanSupplier tokenValid;
    private final Consumer<GrpcSubscription> onEnd;
    private volatile boolean cancelled;
    private volatile boolean stopping;
    private volatile Thread thread;

    GrpcSubscription(LedgerPartitions partitions, ServerCallStreamObserver<Event> call, PartitionPositions from,
                     Predicate<RecordedEvent> visible, BooleanSupplier tokenValid, Consumer<GrpcSubscription> onEnd) {
        this.partitions = partitions;
        this.personal = partitions.auditLedger().personalData();
        this.call = call;
        this.from = from;
        this.visible = visible;
        this.tokenValid = tokenValid;
        this.onEnd = onEnd;
        call.setOnCancelHandler(() -> cancelled = true);
        call.setOnReadyHandler(this::wake);
    }

    @Override
    public void run() {
        thread = Thread.currentThread();
        long tokenCheckedAt = System.nanoTime();
        try (PartitionedReader reader = partitions.openReader(from)) {
            PartitionedReader.Handler send = (partition, e) -> send(reader, partition, e);
            while (!cancelled && !stopping) {
                if (System.nanoTime() - tokenCheckedAt > TOKEN_CHECK_NANOS) {
                    if (!tokenValid.getAsBoolean()) {
                        call.onError(Status.UNAUTHENTICATED.withDescription("authorization: the token was revoked")
                            .asRuntimeException());
                        return;
                    }
                    tokenCheckedAt = System.nanoTime();
                }
                if (!call.isReady()) {
                    LockSupport.parkNanos(this, IDLE_NANOS);
                    continue;
                }
                if (reader.poll(send, BATCH) == 0) {
                    LockSupport.parkNanos(this, IDLE_NANOS);
                }
            }
            if (stopping && !cancelled) {
                call.onError(Status.UNAVAILABLE.withDescription("the server is stopping: subscribe again from the last"
                    + " global_seq received + 1 (over several partitions: its next_positions)").asRuntimeException());
            }
        } catch (StatusRuntimeException clientGone) {
            // cancelled while sending: nothing to answer
        } catch (RuntimeException e) {
            if (!cancelled) {
                call.onError(Status.INTERNAL.withDescription("reading the journal failed: " + e.getMessage()).asRuntimeException());
            }
        } finally {
            onEnd.accept(this);
        }
    }

    void stop() {
        stopping = true;
        wake();
    }

    private void send(PartitionedReader reader, int partition, RecordedEvent e) {
        if (!visible.test(e)) {
            return;
        }
        call.onNext(reader.partitions() == 1 ? GrpcApi.event(e, personal)
            : GrpcApi.event(new EventFeed.Item(partition, e, reader.past()), personal));
    }

    private void wake() {
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }
}
