package dev.indelible.ledger.internal;

import dev.indelible.ledger.CorruptJournalException;

/**
 * A record that failed its checks while the writer's state followed the journal. {@code torn}: no
 * valid record follows it, as a crash mid-write leaves the end; the embedded ledger cuts such an
 * end at open. Any other damage is never cut.
 *
 * @param globalSeq       the {@code global_seq} the damaged record holds, or should hold
 * @param location        file and byte offset of the damaged record
 * @param problem         what is wrong with it
 * @param firstCutAddress the journal address of the first record to cut, when torn
 * @param torn            whether nothing valid follows the damage
 */
record JournalDamage(long globalSeq, String location, String problem, long firstCutAddress, boolean torn) {

    /** Damage inside the journal: a valid record follows it, or its place in the order is wrong. */
    static JournalDamage inside(long globalSeq, String location, String problem) {
        return new JournalDamage(globalSeq, location, problem, -1, false);
    }

    /** The damage as the exception a caller of the ledger gets. */
    CorruptJournalException exception() {
        return torn ? new TornTailException(globalSeq, location, problem, firstCutAddress)
            : new CorruptJournalException(globalSeq, location, problem);
    }
}
