package dev.indelible.ledger.internal;

import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.LedgerException;
import dev.indelible.ledger.internal.chronicle.ChronicleJournal;
import java.nio.file.Path;

/**
 * Opens the embedded ledger: the data directory checked, the PID-namespace guard held, the
 * journal recovered, and a torn end cut off (at most once). A cut moves files, so it is decided
 * again and done only while no other ledger has the journal open; an end that looked torn while
 * other writers were appending was only their new records.
 *
 * <p>Stateless.
 */
final class EmbeddedOpen {
    private EmbeddedOpen() {
    }

    static Ledger open(Path dataDir, LedgerConfig config) {
        DataDirectory directory = DataDirectory.prepare(dataDir);
        NamespaceGuard guard = NamespaceGuard.acquire(directory.stateDir(), directory.journalDir());
        try {
            TornTail.Repair repair = null;
            boolean endChecked = false;
            while (true) {
                ChronicleJournal journal = new ChronicleJournal(directory.journalDir(), config.rollCycle(),
                    config.freeSpaceReserve(), config.reserveAlsoOn());
                DefaultLedger ledger = new DefaultLedger(config, journal, directory.stateDir(), guard);
                Found found;
                try {
                    found = recover(ledger, journal, directory, !endChecked);
                } catch (RuntimeException e) {
                    ledger.releaseAfterFailedOpen();
                    throw e;
                }
                if (found == null) {
                    ledger.start();
                    if (repair != null) {
                        repair.record(ledger);
                    }
                    return ledger;
                }
                ledger.releaseAfterFailedOpen();
                if (repair != null) {
                    throw new LedgerException("the end of " + directory.journalDir() + " is still damaged after cutting it at "
                        + repair.location() + "; see " + repair.cut().movedTo());
                }
                TornTail.Repair[] done = {null};
                boolean alone = guard.exclusively(() -> done[0] = recheckAndCut(directory, config));
                if (!alone && found.torn() != null) {
                    throw new LedgerException(directory.journalDir() + " ends in an incomplete record at "
                        + found.torn().location() + " (" + found.torn().problem() + "); it is cut only by a writer"
                        + " that has the journal to itself: stop the other writers and open it again");
                }
                repair = done[0];
                // Alone, the end was just checked (and cut); with others writing, it only looked torn.
                endChecked = true;
            }
        } catch (RuntimeException e) {
            guard.close();
            throw e;
        }
    }

    /** Where to cut and, for a damaged last record, what was found there. */
    private record Found(long cutFrom, TornTail.Repair torn) {
    }

    /** Recovers the ledger; returns what must be cut, or null when the end is sound. */
    private static Found recover(DefaultLedger ledger, ChronicleJournal journal, DataDirectory directory,
                                 boolean checkEnd) {
        try {
            ledger.recover();
        } catch (TornTailException e) {
            return new Found(e.firstCutAddress(), TornTail.describe(e));
        }
        long cutFrom = checkEnd ? ledger.endToCut(journal, directory.journalDir()) : -1;
        return cutFrom < 0 ? null : new Found(cutFrom, null);
    }

    /** With the journal to itself: looks at the end again and cuts it if it is still torn. */
    private static TornTail.Repair recheckAndCut(DataDirectory directory, LedgerConfig config) {
        ChronicleJournal journal = new ChronicleJournal(directory.journalDir(), config.rollCycle());
        DefaultLedger ledger = new DefaultLedger(config, journal, directory.stateDir(), null);
        Found found;
        long nextSeq;
        try {
            found = recover(ledger, journal, directory, true);
            nextSeq = ledger.nextSeq();
        } finally {
            ledger.releaseAfterFailedOpen();
        }
        return found == null ? null
            : TornTail.cut(directory, config.rollCycle(), found.cutFrom(), nextSeq, found.torn());
    }
}
