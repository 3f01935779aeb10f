package dev.indelible.ledger.spi;

/**
 * Reads committed records in order; sees what every process committed, as soon as it is committed.
 * A record still being written, or left incomplete by a crash, is never returned.
 *
 * <p>Not thread-safe: one cursor per thread.
 */
public interface JournalCursor extends AutoCloseable {

    /**
     * Copies the next record into {@code into} and moves past it.
     *
     * @return false at the end of the journal (for now)
     */
    boolean next(RecordBuffer into);

    /** Positions the cursor at the record with this address, as given in {@link RecordBuffer#address()}. */
    boolean seek(long address);

    /** Positions the cursor at the first record. */
    void toStart();

    @Override
    void close();
}
