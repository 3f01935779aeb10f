package dev.indelible.ledger.internal;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Named crash points in the append, roll, checkpoint and staged-import paths, for tests: started with
 * {@code -Dindelible.killPoint=<name>:<n>}, the process sends itself SIGKILL the n-th time it
 * reaches {@code <name>}, after saying so on stderr. Without the property every point is one
 * check of a constant.
 *
 * <p>Thread-safe.
 */
public final class KillPoints {
    /** Chronicle reserved the record's header; no byte of the record is written. */
    public static final String AFTER_HEADER = "after-header";
    /** Half the record's bytes are written. */
    public static final String MID_PAYLOAD = "mid-payload";
    /** The record is complete in the journal; the ledger's indexes do not have it; nothing acknowledged. */
    public static final String BEFORE_INDEX = "before-index";
    /** Records are written and indexed; the sync that would acknowledge them has not started. */
    public static final String BEFORE_SYNC = "before-sync";
    /** The first record of a new cycle file is written; the directory is not yet forced. */
    public static final String CYCLE_ROLL = "cycle-roll";
    /** The checkpoint's temp file is written, not yet forced or renamed over the old one. */
    public static final String CHECKPOINT_WRITE = "checkpoint-write";
    /** A staged import is appended and forced; not committed (the live journal is as it was). */
    public static final String IMPORT_STAGED = "import-staged";
    /** A staged import's commit marker is written; the live journal is not yet moved. */
    public static final String IMPORT_COMMITTED = "import-committed";
    /** The live journal is moved aside; the staged one is not yet in its place (no journal/). */
    public static final String IMPORT_MOVED_ASIDE = "import-moved-aside";
    /** The staged journal is in place; the checkpoint and the staging directory are not yet done. */
    public static final String IMPORT_SWAPPED = "import-swapped";

    /** An erasure's {@code ops.erase} event is appended; the subject's key is not yet destroyed. */
    public static final String ERASE_RECORDED = "erase-recorded";
    /** The key store without the erased key is renamed into place; nothing after it is done. */
    public static final String ERASE_KEY_DESTROYED = "erase-key-destroyed";

    private static final String ARMED = System.getProperty("indelible.killPoint", "");
    private static final String NAME = ARMED.contains(":") ? ARMED.substring(0, ARMED.indexOf(':')) : "";
    private static final long AT = ARMED.contains(":") ? Long.parseLong(ARMED.substring(ARMED.indexOf(':') + 1)) : 0;
    private static final AtomicLong REACHED = new AtomicLong();

    private KillPoints() {
    }

    /** Whether {@code point} is the one armed in this process: for a path that does extra work only to have it. */
    public static boolean armed(String point) {
        return AT > 0 && point.equals(NAME);
    }

    public static void reach(String point) {
        if (AT > 0 && point.equals(NAME) && REACHED.incrementAndGet() == AT) {
            kill(point);
        }
    }

    private static void kill(String point) {
        System.err.println("kill point " + point + " reached (" + AT + ")");
        System.err.flush();
        try {
            new ProcessBuilder("kill", "-9", Long.toString(ProcessHandle.current().pid())).start();
            TimeUnit.SECONDS.sleep(60);
        } catch (Exception e) {
            // fall through: halt is the next best thing to SIGKILL
        }
        Runtime.getRuntime().halt(137);
    }
}
