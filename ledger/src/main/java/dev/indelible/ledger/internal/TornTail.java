package dev.indelible.ledger.internal;

import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerException;
import dev.indelible.ledger.Operations;
import dev.indelible.ledger.RollCycle;
import dev.indelible.ledger.internal.chronicle.ChronicleJournal;
import dev.indelible.ledger.internal.chronicle.ChronicleTail;
import dev.indelible.ledger.spi.RecordBuffer;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded writer's answer to an incomplete end of the journal (a crash mid-write, a power
 * cut before the last pages reached the disk): cut it off at the last complete record, keep the
 * cut bytes in {@code <data>/journal-damaged/}, log it and record an {@code ops.journal_repair}
 * event. Damage followed by valid records is never cut: it fails the open instead.
 *
 * <p>Stateless.
 */
final class TornTail {
    private static final Logger LOG = LoggerFactory.getLogger(TornTail.class);

    private TornTail() {
    }

    /** What was found at the tail and what the cut did. */
    record Repair(long globalSeq, String location, String problem, ChronicleTail.Cut cut) {

        /**
         * Appends the audit event. Unlike other operations, a repair that cannot be journaled is
         * logged and kept: the cut is what lets the journal open, and the cut bytes are kept aside.
         */
        void record(Ledger ledger) {
            try {
                Operations.record(ledger, "journal_repair", "journal", "cut the torn tail of the journal at global_seq "
                        + globalSeq + " (" + location + "): " + problem, Instant.now(), "ok",
                    Map.of("first_cut_global_seq", Long.toString(globalSeq), "file", cut.file(),
                        "records_kept_in_file", Long.toString(cut.keptRecords()), "moved_to", cut.movedTo().toString()));
            } catch (LedgerException e) {
                LOG.warn("{}; the cut bytes are in {}", e.getMessage(), cut.movedTo());
            }
        }
    }

    /**
     * The address to cut from when the journal ends in something the catch-up could not read:
     * bytes other than zeros after the last complete record (a scrambled header Chronicle would
     * stall on), or a Chronicle header still counting records that were cut short; else -1.
     */
    static long incompleteEnd(ChronicleJournal journal, Path journalDir, Follower follower) {
        RecordBuffer last = follower.lastRecord();
        boolean none = last.file() == null || follower.state().nextSeq() == 0;
        long cutFrom = none ? journal.cutAfterLastReadable(-1, -1)
            : journal.cutAfterLastReadable(last.address(), last.fileOffset());
        if (cutFrom >= 0 || none) {
            return cutFrom;
        }
        try {
            return ChronicleTail.junkAfter(journalDir, last.file(), last.fileOffset(), last.length()) ? last.address() + 1 : -1;
        } catch (IOException e) {
            throw new LedgerException("cannot read the end of " + journalDir + ": " + e.getMessage(), e);
        }
    }

    /** Cuts the journal from {@code firstCutAddress}; {@code found} is the damaged last record, if any. */
    static Repair cut(DataDirectory directory, RollCycle rollCycle, long firstCutAddress, long nextSeq,
                      JournalDamage found) {
        ChronicleTail.Cut cut = ChronicleTail.cut(directory.journalDir(), rollCycle, firstCutAddress,
            directory.root().resolve("journal-damaged"));
        Repair repair = found != null
            ? new Repair(found.globalSeq(), found.location(), found.exception().getMessage(), cut)
            : new Repair(nextSeq, cut.file(), "bytes other than zeros after the last complete record", cut);
        LOG.warn("cut the torn tail of {} at {}: {}; kept {} records of {}, moved {} bytes of cycle files to {}",
            directory.journalDir(), repair.location(), repair.problem(), cut.keptRecords(), cut.file(), cut.cutBytes(),
            cut.movedTo());
        return repair;
    }
}
