package dev.indelible.ledger;

/** Receives events in {@code global_seq} order, on the reading or subscription thread. */
@FunctionalInterface
public interface EventHandler {
    void onEvent(RecordedEvent event);
}
