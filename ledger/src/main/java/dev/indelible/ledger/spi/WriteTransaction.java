package dev.indelible.ledger.spi;

/** The work done under a journal's write lock. */
@FunctionalInterface
public interface WriteTransaction {
    /**
     * Decides, with the lock held, whether to write. Write at most one record to {@code out};
     * writing none commits nothing.
     */
    void run(RecordOutput out);
}
