package dev.indelible.ledger;

/**
 * Checks an event's payload before anything is written. Registered per event type with
 * {@link LedgerConfig.Builder#validator(String, EventValidator)}; the projections module registers
 * the domain types this way.
 *
 * <p>Implementations must be thread-safe and must not block.
 */
@FunctionalInterface
public interface EventValidator {
    /**
     * Returns normally when the event is acceptable; otherwise throws an {@link InvalidEventException}
     * naming the payload field and the reason, e.g. {@code ("user_id", "is required")}.
     */
    void validate(EventData event);
}
