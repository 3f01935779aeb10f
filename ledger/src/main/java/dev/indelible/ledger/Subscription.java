package dev.indelible.ledger;

/**
 * A live subscription: catches up from its start position, then follows appends from every
 * process. Events reach the handler exactly once, in order, on the subscription's own thread.
 *
 * <p>Thread-safe.
 */
public interface Subscription extends AutoCloseable {
    /** The {@code global_seq} the subscription will deliver next: store it to resume after a restart. */
    long position();

    /** Stops delivery and waits for the subscription thread to end. */
    @Override
    void close();
}
