package dev.indelible.ledger.internal;

import dev.indelible.ledger.DaemonThreads;
import dev.indelible.ledger.EventHandler;
import dev.indelible.ledger.EventReader;
import dev.indelible.ledger.Subscription;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A subscription thread: polls its reader, and when at the head parks until this process appends
 * (woken at once) or a millisecond passes (how appends from other processes are noticed).
 *
 * <p>Thread-safe.
 */
final class FollowingSubscription implements Subscription {
    private static final Logger LOG = LoggerFactory.getLogger(FollowingSubscription.class);
    private static final int BATCH = 512;
    private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final EventReader reader;
    private final EventHandler handler;
    private final Consumer<FollowingSubscription> onClose;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long position;

    FollowingSubscription(EventReader reader, EventHandler handler, Consumer<FollowingSubscription> onClose) {
        this.reader = reader;
        this.handler = handler;
        this.onClose = onClose;
        this.position = reader.position();
        this.thread = DaemonThreads.unstarted("indelible-subscription-from-" + position, this::run);
    }

    void start() {
        thread.start();
    }

    void wake() {
        LockSupport.unpark(thread);
    }

    private void run() {
        try {
            while (running) {
                int n = reader.poll(event -> {
                    handler.onEvent(event);
                    position = event.globalSeq() + 1;
                }, BATCH);
                if (n == 0) {
                    LockSupport.parkNanos(this, IDLE_PARK_NANOS);
                }
            }
        } catch (RuntimeException | Error e) {
            LOG.error("subscription stopped at global_seq {}: resume from there once the cause is fixed", position, e);
        } finally {
            running = false;
            reader.close();
            onClose.accept(this);
        }
    }

    @Override
    public long position() {
        return position;
    }

    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
        if (Thread.currentThread() != thread) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
