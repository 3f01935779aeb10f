package dev.indelible.ledger;

/**
 * Counters since this ledger instance opened (this process only).
 *
 * <p>Immutable snapshot.
 *
 * @param appendCalls  appends that wrote a record
 * @param eventsAppended events written by this process
 * @param duplicates   appends answered from the idempotency index without writing
 * @param rejected     appends refused with {@code WrongExpectedVersion} or {@code EventIdConflict}
 * @param syncs        forced writes to stable storage (group commits)
 * @param caughtUp     events appended by other processes that this one caught up on
 */
public record LedgerMetrics(long appendCalls, long eventsAppended, long duplicates, long rejected, long syncs,
                            long caughtUp) {
}
