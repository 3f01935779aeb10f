package dev.indelible.ledger.internal;

import dev.indelible.ledger.spi.Journal;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first phase of opening a ledger: load the checkpoint, check it against the journal, follow
 * the journal's tail to its end, and return either the state ready to be written on or the
 * damage that stopped it. A ledger is built only from a {@link Loaded} state, so it is never
 * half-open, and no damage is control flow.
 *
 * <p>Stateless.
 */
final class JournalLoader {
    private static final Logger LOG = LoggerFactory.getLogger(JournalLoader.class);

    private JournalLoader() {
    }

    /** What a load found. */
    sealed interface Outcome permits Loaded, Damaged {
    }

    /**
     * The writer's state, current with the journal, its follower positioned after the last record.
     *
     * @param checkpointedSeq  the {@code nextSeq} the checkpoint loaded from holds (0 when the journal was scanned whole)
     * @param checkpointBytes  the size of that checkpoint file (0 when none)
     */
    record Loaded(Follower follower, long checkpointedSeq, long checkpointBytes) implements Outcome {
    }

    /** The journal holds damage where the follower stopped; nothing is held open. */
    record Damaged(JournalDamage damage) implements Outcome {
    }

    static Outcome load(Journal journal, Checkpoint checkpoint) {
        long started = System.nanoTime();
        LedgerState saved;
        try {
            saved = checkpoint.load();
        } catch (IOException e) {
            saved = null;
        }
        Follower follower = new Follower(journal.openWriterCursor());
        try {
            boolean fromCheckpoint = saved != null && follower.resumeFrom(saved);
            if (!fromCheckpoint) {
                if (saved != null) {
                    LOG.warn("checkpoint in {} does not match the journal; rebuilding the indexes from the whole journal",
                        journal.describe());
                    saved.close();
                }
                follower.resumeFrom(new LedgerState());
            }
            // Before following: the saved state is the follower's, and moves with it.
            long checkpointedSeq = fromCheckpoint ? saved.nextSeq() : 0;
            JournalDamage damage = follower.follow();
            if (damage != null) {
                follower.close();
                return new Damaged(damage);
            }
            LedgerState state = follower.state();
            LOG.info("opened {}: {} events, {} streams; indexes from {}, {} events scanned, in {} ms", journal.describe(),
                state.nextSeq(), state.streams().size(), fromCheckpoint ? "the checkpoint" : "a full scan",
                follower.applied(), (System.nanoTime() - started) / 1_000_000);
            return new Loaded(follower, checkpointedSeq, checkpoint.size());
        } catch (RuntimeException | Error e) {
            follower.close();
            throw e;
        }
    }
}
