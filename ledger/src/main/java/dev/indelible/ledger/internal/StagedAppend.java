package dev.indelible.ledger.internal;

import dev.indelible.ledger.AtomicFile;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.LedgerException;
import dev.indelible.ledger.LedgerInUseException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends a batch too large for one record (an import) to the embedded ledger all or nothing: a
 * copy of the journal in {@code <data>/import-staging/} takes the appends and is swapped in whole
 * once they are durable. The staged journal is the live one byte for byte plus the new records, so
 * no existing event changes position.
 *
 * <pre>{@code
 * 1. open the ledger once (a torn end is cut), close it
 * 2. alone (the namespace lock exclusive): copy journal/ and the checkpoint into import-staging/
 * 3. open the staged ledger, run the appends, close it, force every staged file
 * 4. alone again: the live head must not have moved since 2; write import-staging/COMMITTED
 * 5. roll forward: journal/ into import-staging/replaced, import-staging/journal to journal/,
 *    the staged checkpoint over the live one, delete import-staging/
 * }</pre>
 *
 * A crash before {@code COMMITTED} leaves the live journal as it was: the next open (or import)
 * deletes the staging once the lock its owner held is free. A crash after it is finished by the
 * next open that has the ledger to itself ({@link #recover}): every step of 5 can be run again.
 * Step 5 holds the namespace lock exclusively, so an open meanwhile waits for it; one that made an
 * empty {@code journal/} in the moment between the two moves has it replaced by the rename.
 *
 * <p>Stateless.
 */
public final class StagedAppend {
    /** The staging directory, in the data directory. */
    public static final String DIR = "import-staging";
    private static final String COMMITTED = "COMMITTED";
    private static final String OWNER_LOCK = "owner.lock";
    private static final String REPLACED = "replaced";
    private static final Logger LOG = LoggerFactory.getLogger(StagedAppend.class);

    private StagedAppend() {
    }

    /** Runs {@code appends} on a staged copy of the ledger in {@code dataDir} and swaps it in whole; see the class. */
    public static <T> T run(Path dataDir, LedgerConfig config, Function<Ledger, T> appends) {
        long started = System.nanoTime();
        EmbeddedOpen.open(dataDir, config).close(); // recovers leftovers, cuts a torn end
        DataDirectory live = DataDirectory.prepare(dataDir);
        Path staging = live.root().resolve(DIR);
        NamespaceGuard guard = NamespaceGuard.acquire(live.stateDir(), live.journalDir());
        FileChannel owner = null;
        boolean[] committed = {false};
        try {
            FileChannel[] held = {null};
            alone(guard, live, "copy it", () -> held[0] = stage(live, staging));
            owner = held[0];
            long copied = System.nanoTime();
            long base;
            T result;
            try (Ledger staged = EmbeddedOpen.open(staging, config, live.keysDir())) {
                base = staged.head();
                result = appends.apply(staged);
            }
            long appended = System.nanoTime();
            forceAll(staging);
            long forced = System.nanoTime();
            KillPoints.reach(KillPoints.IMPORT_STAGED);
            alone(guard, live, "swap it in", () -> {
                commit(live, staging, base, config);
                committed[0] = true; // from here on the staging is the ledger's: never deleted unswapped
                rollForward(live, staging);
            });
            LOG.info("staged append into {}: the journal of {} events opened and copied in {} ms, the appends in {} ms,"
                + " forced in {} ms, swapped in {} ms", live.root(), base, ms(copied - started), ms(appended - copied),
                ms(forced - appended), ms(System.nanoTime() - forced));
            return result;
        } finally {
            if (!committed[0] && owner != null) {
                deleteTree(staging);
            }
            closeQuietly(owner);
            guard.close();
        }
    }

    /**
     * At an open, with the namespace lock held shared: finishes a committed swap (alone, or refuses
     * naming why) or deletes a staging whose owner has gone.
     */
    static void recover(DataDirectory live, NamespaceGuard guard) {
        Path staging = live.root().resolve(DIR);
        if (!Files.isDirectory(staging)) {
            return;
        }
        if (Files.exists(staging.resolve(COMMITTED))) {
            if (!guard.exclusively(() -> rollForward(live, staging))) {
                throw new LedgerInUseException("an import into " + live.root() + " committed but its swap was interrupted;"
                    + " the next open that has the ledger to itself finishes it: stop the other processes that have"
                    + " it open and open it again");
            }
            return;
        }
        if (ownerGone(staging)) {
            deleteTree(staging);
        }
    }

    private static long ms(long nanos) {
        return nanos / 1_000_000;
    }

    private static void alone(NamespaceGuard guard, DataDirectory live, String what, Runnable action) {
        if (!guard.exclusively(action)) {
            throw new LedgerInUseException("another ledger (in this or another process: serve, a producer, a replay) has "
                + live.root() + " open; an import stages a copy of the journal and swaps it in whole, so it needs the"
                + " ledger to itself to " + what + ": stop the others and run it again. Nothing was imported.");
        }
    }

    /** Alone: the staging directory with its owner's lock held, and a copy of the journal and checkpoint. */
    private static FileChannel stage(DataDirectory live, Path staging) {
        if (Files.exists(staging.resolve(COMMITTED))) {
            rollForward(live, staging); // committed by an import that died since this one's first open
        }
        deleteTree(staging); // a leftover whose owner had not gone at the first open; alone, it has now
        FileChannel owner = null;
        try {
            Files.createDirectories(staging);
            DataDirectory.secure(staging);
            owner = FileChannel.open(staging.resolve(OWNER_LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            owner.lock();
            JournalCopy.copyDirectory(live.journalDir(), staging.resolve("journal"));
            Path checkpoint = live.stateDir().resolve(Checkpoint.FILE_NAME);
            if (Files.exists(checkpoint)) {
                JournalCopy.copyDirectory(live.stateDir(), staging.resolve("journal-state"), List.of(checkpoint));
            }
            return owner;
        } catch (IOException | RuntimeException e) {
            closeQuietly(owner);
            deleteTree(staging);
            throw new LedgerException("cannot stage a copy of " + live.journalDir() + " in " + staging + ": " + e.getMessage(), e);
        }
    }

    /** Alone: the live head unmoved since the copy, and the commit marker written. */
    private static void commit(DataDirectory live, Path staging, long base, LedgerConfig config) {
        long head;
        try (Ledger current = EmbeddedOpen.open(live.root(), config)) {
            head = current.head();
        }
        if (head != base) {
            throw new LedgerInUseException((head - base) + " events were appended to " + live.root() + " by another process"
                + " during the import; it was staged on the journal as it was before them, so nothing was imported:"
                + " run it again");
        }
        try {
            AtomicFile.write(staging.resolve(COMMITTED), ("staged on head " + base + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new LedgerException("cannot commit the import in " + staging + ": " + e.getMessage(), e);
        }
        KillPoints.reach(KillPoints.IMPORT_COMMITTED);
    }

    /** Swaps the staged journal in; every step can be run again after a crash. */
    private static void rollForward(DataDirectory live, Path staging) {
        Path staged = staging.resolve("journal");
        Path replaced = staging.resolve(REPLACED);
        try {
            if (Files.isDirectory(staged)) {
                if (!Files.exists(replaced) && Files.exists(live.journalDir())) {
                    AtomicFile.move(live.journalDir(), replaced);
                }
                KillPoints.reach(KillPoints.IMPORT_MOVED_ASIDE);
                // rename(2) replaces the empty journal/ an open may have made since the move above
                AtomicFile.replace(staged, live.journalDir());
            }
            KillPoints.reach(KillPoints.IMPORT_SWAPPED);
            Path checkpoint = staging.resolve("journal-state").resolve(Checkpoint.FILE_NAME);
            if (Files.exists(checkpoint)) {
                AtomicFile.replace(checkpoint, live.stateDir().resolve(Checkpoint.FILE_NAME));
            }
        } catch (IOException e) {
            throw new LedgerException("cannot swap the import staged in " + staging + " in for " + live.journalDir()
                + ": " + e.getMessage() + "; the next open finishes it", e);
        }
        deleteTree(staging); // the replaced journal is a prefix of the new one, byte for byte
    }

    /** Every staged file and directory forced: the appends may have been acknowledged unsynced. */
    private static void forceAll(Path staging) {
        try (Stream<Path> all = Files.walk(staging)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                if (Files.isDirectory(p)) {
                    AtomicFile.fsyncDirectory(p);
                } else {
                    try (FileChannel channel = FileChannel.open(p, StandardOpenOption.READ)) {
                        channel.force(true);
                    }
                }
            }
        } catch (IOException e) {
            throw new LedgerException("cannot force the import staged in " + staging + ": " + e.getMessage(), e);
        }
    }

    /** True when no process holds the staging's owner lock any more. */
    private static boolean ownerGone(Path staging) {
        try (FileChannel channel = FileChannel.open(staging.resolve(OWNER_LOCK), StandardOpenOption.CREATE,
            StandardOpenOption.WRITE)) {
            FileLock probe = channel.tryLock();
            if (probe == null) {
                return false;
            }
            probe.release();
            return true;
        } catch (OverlappingFileLockException e) {
            return false; // this process's own import
        } catch (IOException e) {
            throw new LedgerException("cannot check the import staged in " + staging + ": " + e.getMessage(), e);
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
            AtomicFile.fsyncDirectory(dir.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new LedgerException("cannot delete the import staging " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // releasing the owner lock: nothing left to protect
            }
        }
    }
}
