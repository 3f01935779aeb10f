package dev.indelible.ledger.internal;

import java.io.IOException;

/**
 * Work on a large index beside the appends, a chunk at a time:
 *
 * <pre>{@code
 * while (copyNext()) {   // under the appenders' lock: copy a bounded part
 *     useCopy();         // outside it: write or insert the copy
 * }
 * }</pre>
 *
 * so an appender waits for the copy of one chunk (tens of microseconds), never for a whole index.
 * Indexes only copy and use; the lock is taken in one place, {@link Checkpointer#underLock}.
 *
 * <p>Not thread-safe: one thread calls both methods, in turn.
 */
interface ChunkedCopy {
    /** Under the appenders' lock: copies the next chunk; false when none is left or the work was abandoned. */
    boolean copyNext();

    /** Outside the lock: uses the chunk just copied. */
    void useCopy() throws IOException;

    /** Runs a copy to its end, under a lock or (for tests and tools) with the index to itself. */
    @FunctionalInterface
    interface Runner {
        void run(ChunkedCopy work) throws IOException;
    }

    /** For an index no append can change meanwhile (tests, tools): no lock. */
    static void runAlone(ChunkedCopy work) throws IOException {
        while (work.copyNext()) {
            work.useCopy();
        }
    }
}
