package dev.indelible.ledger.internal;

import dev.indelible.ledger.spi.JournalCursor;
import dev.indelible.ledger.spi.RecordBuffer;

/**
 * Keeps a {@link LedgerState} current with the journal: applies, in order, every record committed
 * after the last one it applied, whether this process or another wrote it. Damage comes back as a
 * value, so the loader can decide to cut a torn end and a running ledger can fail.
 *
 * <p>Not thread-safe: used under the ledger's lock. Owns its cursor and the state; {@link #close}
 * frees both.
 */
final class Follower implements AutoCloseable {
    /** How many of this process's own records the cursor reads back rather than seeking past them. */
    private static final long READ_BACK_LIMIT = 16;
    private final JournalCursor cursor;
    private final RecordBuffer buffer = new RecordBuffer();
    private final RecordView view = new RecordView();
    private LedgerState state;
    private long applied;
    /** Set when appends went ahead without following: the cursor lags behind, at this process's own records. */
    private boolean cursorBehind;

    Follower(JournalCursor cursor) {
        this.cursor = cursor;
    }

    /**
     * Adopts {@code saved} if the journal still holds the record it ends with, and positions the
     * cursor after it. A fresh state always fits. A state not adopted stays the caller's.
     */
    boolean resumeFrom(LedgerState saved) {
        if (saved.lastAddress() < 0) {
            cursor.toStart();
            state = saved;
            return saved.nextSeq() == 0;
        }
        if (!cursor.seek(saved.lastAddress()) || !cursor.next(buffer) || view.load(buffer) != null
            || view.firstSeq() + view.count() != saved.nextSeq() || view.lastCrc() != saved.lastCrc()) {
            return false;
        }
        state = saved;
        return true;
    }

    /**
     * Whether the record about to be written at {@code nextAddress} directly follows the last one
     * applied, so no other writer committed in between and there is nothing to follow. Then the
     * cursor is left behind, and the next {@link #follow} reads back at most a few of this
     * process's records, seeking past a longer run.
     */
    boolean current(long nextAddress) {
        if (nextAddress < 0 || state.lastAddress() < 0 || nextAddress != state.lastAddress() + 1) {
            return false;
        }
        cursorBehind = true;
        return true;
    }

    /** Applies every record committed since the last one applied; returns the damage that stopped it, or null. */
    JournalDamage follow() {
        if (cursorBehind) {
            cursorBehind = false;
            // A few of its own records are read back as before (a reader's look after an append);
            // a longer run is skipped by one seek.
            if (state.lastAddress() - buffer.address() > READ_BACK_LIMIT && !cursor.seek(state.lastAddress())) {
                return JournalDamage.inside(state.nextSeq(), buffer.location(),
                    "the record at address " + state.lastAddress() + ", applied last, cannot be found");
            }
        }
        while (cursor.next(buffer)) {
            if (buffer.address() <= state.lastAddress()) {
                continue; // this process's own record, applied when it was written
            }
            String problem = view.load(buffer);
            if (problem != null) {
                return damaged(problem);
            }
            // A whole record out of place is not a torn write: never cut, wherever it is.
            if (view.firstSeq() != state.nextSeq()) {
                return JournalDamage.inside(state.nextSeq(), buffer.location(),
                    "record holds global_seq " + view.firstSeq() + " where " + state.nextSeq() + " was due");
            }
            if (view.prevCrc() != state.lastCrc()) {
                return JournalDamage.inside(state.nextSeq(), buffer.location(),
                    "checksum chain broken: the record does not follow the one before it");
            }
            state.apply(view, buffer.address());
            applied += view.count();
        }
        return null;
    }

    /** {@link #follow} for a running ledger, where any damage is fatal. */
    void followOrFail() {
        JournalDamage damage = follow();
        if (damage != null) {
            throw damage.exception();
        }
    }

    /**
     * The damage at the cursor, torn when no valid record follows it (what a crash mid-write
     * leaves), else damage inside the journal, which is never cut.
     */
    private JournalDamage damaged(String problem) {
        long seq = state.nextSeq();
        String location = buffer.location();
        long address = buffer.address();
        try {
            while (cursor.next(buffer)) {
                if (view.load(buffer) == null) {
                    return JournalDamage.inside(seq, location, problem);
                }
            }
        } catch (RuntimeException unreadable) {
            return JournalDamage.inside(seq, location, problem + "; what follows cannot be read: " + unreadable);
        }
        return new JournalDamage(seq, location, problem, address, true);
    }

    /** The state, current as of the last {@link #follow}. */
    LedgerState state() {
        return state;
    }

    /** The last record read, or an empty buffer when the journal holds none. */
    RecordBuffer lastRecord() {
        return buffer;
    }

    /** Events applied from records this process did not write in this run (other writers', or the scanned tail). */
    long applied() {
        return applied;
    }

    @Override
    public void close() {
        if (state != null) {
            state.close();
        }
        cursor.close();
    }
}
