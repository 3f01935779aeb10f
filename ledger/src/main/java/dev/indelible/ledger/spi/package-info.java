/**
 * The service-provider interface for the storage under a ledger. Producers never use it: it is
 * for implementing a {@link dev.indelible.ledger.spi.Journal} on another log (ledger-kafka).
 */
package dev.indelible.ledger.spi;
