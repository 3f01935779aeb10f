/**
 * The ledger API for producer applications: open a {@link dev.indelible.ledger.Ledger}, append
 * events with expected versions and idempotency keys, read, subscribe and verify. Everything
 * outside this package (and the {@code spi} package for journal implementers) is internal.
 */
package dev.indelible.ledger;
