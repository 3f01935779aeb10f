package dev.indelible.ledger.internal;

import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.LedgerException;
import dev.indelible.ledger.VerifyReport;
import dev.indelible.ledger.internal.chronicle.ChronicleJournal;
import java.nio.file.Path;
import java.util.function.LongConsumer;

/**
 * Opens the embedded ledger: the data directory checked, the PID-namespace guard held, an
 * interrupted import finished or its staging deleted ({@link StagedAppend}), the journal loaded, and a torn end cut off (at most once) before the ledger is built. A cut moves
 * files, so it is decided again and done only while no other ledger has the journal open; an end
 * that looked torn while other writers were appending was only their new records.
 *
 * <p>Stateless.
 */
public final class EmbeddedOpen {
    private EmbeddedOpen() {
    }

    /** Opens the embedded ledger: a Chronicle Queue journal in {@code dataDir/journal}. */
    public static Ledger open(Path dataDir, LedgerConfig config) {
        return open(dataDir, config, null);
    }

    /** {@link #open(Path, LedgerConfig)} with the key store in {@code keysDir} (null: the data directory's own). */
    static Ledger open(Path dataDir, LedgerConfig config, Path keysDir) {
        DataDirectory directory = DataDirectory.prepare(dataDir);
        Path keys = keysDir != null ? keysDir : directory.keysDir();
        NamespaceGuard guard = NamespaceGuard.acquire(directory.stateDir(), directory.journalDir());
        try {
            StagedAppend.recover(directory, guard);
            Attempt first = load(directory, config, true);
            if (first.sound()) {
                return first.build(config, directory, guard, keys);
            }
            first.close();
            if (!first.torn()) {
                throw first.damage.exception();
            }
            TornTail.Repair[] done = {null};
            boolean alone = guard.exclusively(() -> done[0] = recheckAndCut(directory, config));
            if (!alone && first.damage != null) {
                throw new LedgerException(directory.journalDir() + " ends in an incomplete record at "
                    + first.damage.location() + " (" + first.damage.exception().getMessage() + "); it is cut only by a"
                    + " writer that has the journal to itself: stop the other writers and open it again");
            }
            TornTail.Repair repair = done[0];
            // Alone, the end was just checked (and cut); with others writing, it only looked torn.
            Attempt second = load(directory, config, false);
            if (!second.sound()) {
                second.close();
                if (repair != null) {
                    throw new LedgerException("the end of " + directory.journalDir() + " is still damaged after cutting it at "
                        + repair.location() + "; see " + repair.cut().movedTo());
                }
                throw second.damage.exception();
            }
            Ledger ledger = second.build(config, directory, guard, keys);
            if (repair != null) {
                repair.record(ledger);
            }
            return ledger;
        } catch (RuntimeException e) {
            guard.close();
            throw e;
        }
    }

    /** Verifies the journal in {@code dataDir} without the writer's state: see {@link Ledger#verify(Path)}. */
    public static VerifyReport verify(Path dataDir, LongConsumer progress) {
        DataDirectory directory = DataDirectory.prepare(dataDir);
        try (ChronicleJournal journal = ChronicleJournal.openExisting(directory.journalDir())) {
            return new JournalVerifier(journal, progress).run();
        }
    }

    /**
     * A journal and what loading it found: the loaded state, or the damage that stopped the load,
     * or (with {@code cutFrom} >= 0) a sound state whose end holds bytes that must be cut.
     */
    private record Attempt(ChronicleJournal journal, JournalLoader.Loaded state, JournalDamage damage, long cutFrom) {

        boolean sound() {
            return state != null && cutFrom < 0;
        }

        /** A torn end: damage no valid record follows, or bytes after the last complete record. */
        boolean torn() {
            return damage == null ? cutFrom >= 0 : damage.torn();
        }

        DefaultLedger build(LedgerConfig config, DataDirectory directory, NamespaceGuard guard, Path keysDir) {
            return new DefaultLedger(config, journal, directory.stateDir(), state, guard, keysDir);
        }

        void close() {
            if (state != null) {
                state.follower().close();
            }
            journal.close();
        }
    }

    /**
     * Loads the journal; with {@code checkEnd}, also looks for bytes to cut after its last record.
     * The checkpoint is read while the journal starts ({@link Checkpoint#loading}).
     */
    private static Attempt load(DataDirectory directory, LedgerConfig config, boolean checkEnd) {
        Checkpoint checkpoint = Checkpoint.loading(directory.stateDir());
        ChronicleJournal journal;
        try {
            journal = new ChronicleJournal(directory.journalDir(), config.rollCycle(),
                config.freeSpaceReserve(), config.reserveAlsoOn());
        } catch (RuntimeException | Error e) {
            checkpoint.discard();
            throw e;
        }
        return load(journal, checkpoint, directory, checkEnd);
    }

    private static Attempt load(ChronicleJournal journal, Checkpoint checkpoint, DataDirectory directory, boolean checkEnd) {
        JournalLoader.Outcome outcome;
        try {
            outcome = JournalLoader.load(journal, checkpoint);
        } catch (RuntimeException | Error e) {
            journal.close();
            throw e;
        }
        if (outcome instanceof JournalLoader.Damaged damaged) {
            return new Attempt(journal, null, damaged.damage(), -1);
        }
        JournalLoader.Loaded state = (JournalLoader.Loaded) outcome;
        long cutFrom;
        try {
            cutFrom = checkEnd ? TornTail.incompleteEnd(journal, directory.journalDir(), state.follower()) : -1;
        } catch (RuntimeException | Error e) {
            state.follower().close();
            journal.close();
            throw e;
        }
        return new Attempt(journal, state, null, cutFrom);
    }

    /** With the journal to itself: looks at the end again and cuts it if it is still torn. */
    private static TornTail.Repair recheckAndCut(DataDirectory directory, LedgerConfig config) {
        Attempt found = load(new ChronicleJournal(directory.journalDir(), config.rollCycle()),
            new Checkpoint(directory.stateDir()), directory, true);
        long nextSeq = found.state != null ? found.state.follower().state().nextSeq() : found.damage.globalSeq();
        found.close();
        if (found.sound()) {
            return null;
        }
        if (!found.torn()) {
            throw found.damage.exception();
        }
        long cutFrom = found.damage != null ? found.damage.firstCutAddress() : found.cutFrom;
        return TornTail.cut(directory, config.rollCycle(), cutFrom, nextSeq, found.damage);
    }
}
