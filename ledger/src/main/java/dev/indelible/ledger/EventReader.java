package dev.indelible.ledger;

/**
 * A pull cursor over the journal in {@code global_seq} order; sees appends from every process.
 *
 * <p>Not thread-safe: one reader per thread.
 */
public interface EventReader extends AutoCloseable {
    /**
     * Hands up to {@code limit} events to {@code handler} and returns how many it handed over:
     * 0 means the reader is at the head for now.
     *
     * @throws CorruptJournalException when the next record fails its checksum: it is never returned
     */
    int poll(EventHandler handler, int limit);

    /**
     * The {@code global_seq} just past the last event of the append (or transaction) that the event
     * last handed over belongs to: for copying appends whole. -1 before the first event.
     */
    long appendEnd();

    /** The {@code global_seq} of the next event this reader returns. */
    long position();

    @Override
    void close();
}
