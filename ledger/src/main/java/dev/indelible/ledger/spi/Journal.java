package dev.indelible.ledger.spi;

import java.io.IOException;

/**
 * The storage under a ledger: an ordered log of opaque records with one exclusive writer at a
 * time across every process. The ledger decides what goes in a record (its layout, checksums,
 * sequence numbers); a journal only stores, orders, locks and syncs. Chronicle Queue is the
 * embedded implementation; another log (Kafka) can implement the same interface.
 *
 * <p>Implementations are thread-safe; the cursors they open are not.
 */
public interface Journal extends AutoCloseable {

    /**
     * Runs {@code transaction} while holding the journal's exclusive write lock, which every
     * thread and process writing this journal shares. Inside, the ledger first catches up on
     * records others committed (with its own {@link JournalCursor}), then decides whether to write.
     *
     * @return the address of the record written, or {@code -1} when the transaction wrote nothing
     * @throws IOException when the record cannot be written; nothing was committed
     */
    long write(WriteTransaction transaction) throws IOException;

    /**
     * A new cursor positioned at the first record, for readers: it returns the records that hold
     * under the journal's durability (on a log with transactions, the committed ones).
     */
    JournalCursor openCursor();

    /**
     * A new cursor for the writer's own bookkeeping (catch-up, retries, stream reads): like
     * {@link #openCursor()}, and it also returns the records this process wrote and has not synced
     * yet. The same as {@code openCursor()} where readers see unsynced records anyway.
     */
    default JournalCursor openWriterCursor() {
        return openCursor();
    }

    /**
     * Forces to stable storage every record this process wrote so far, and every record a writer
     * cursor of this process returned (another process, perhaps one that crashed, may have written
     * it without syncing, and the ledger acknowledges a retry of it). When this throws, the
     * records may be lost: the caller must not acknowledge them, and must not retry and then
     * acknowledge ("fsyncgate").
     */
    void sync() throws IOException;

    /** Where the journal lives, for messages. */
    String describe();

    @Override
    void close();
}
