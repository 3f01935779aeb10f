package dev.indelible.ledger.internal;

import dev.indelible.ledger.LedgerException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data directory's layout and its safety checks: created owner-only, refused when others can
 * write to it, and flagged when it lives on storage that vanishes with the container (the accounts
 * incident).
 *
 * <p>Immutable and thread-safe.
 */
public final class DataDirectory {
    private static final Logger LOG = LoggerFactory.getLogger(DataDirectory.class);
    private static final Set<PosixFilePermission> OWNER_DIR = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<String> EPHEMERAL = Set.of("tmpfs", "ramfs", "overlay", "overlayfs");

    private final Path root;
    private final List<String> warnings;

    private DataDirectory(Path root, List<String> warnings) {
        this.root = root;
        this.warnings = List.copyOf(warnings);
    }

    /** Creates {@code dataDir} and its journal directories owner-only if absent, checks them, and returns the layout. */
    public static DataDirectory prepare(Path dataDir) {
        Path root = dataDir.toAbsolutePath().normalize();
        List<String> warnings = new ArrayList<>();
        checkOrCreate(root, warnings);
        checkOrCreate(root.resolve("journal"), warnings);
        checkOrCreate(root.resolve("journal-state"), warnings);
        checkFiles(root.resolve("journal"));
        String store = fileStoreType(root);
        if (EPHEMERAL.contains(store)) {
            warnings.add(root + " is on " + store + ": the journal will not survive a reboot or a container restart"
                + " (the accounts incident). Mount a persistent volume there.");
        }
        warnings.forEach(LOG::warn);
        return new DataDirectory(root, warnings);
    }

    public Path root() {
        return root;
    }

    /** The Chronicle Queue files: the source of truth. */
    public Path journalDir() {
        return root.resolve("journal");
    }

    /** Checkpoints of the in-memory indexes: a cache, rebuilt from the journal when absent. */
    /** The personal-data key store's directory: beside the journal, never in it. */
    public Path keysDir() {
        return root.resolve("keys");
    }

    public Path stateDir() {
        return root.resolve("journal-state");
    }

    /** Sentences for the operator; empty when all is well. */
    public List<String> warnings() {
        return warnings;
    }

    /** Makes a file 0600 or a directory 0700. No-op where the file system has no POSIX permissions. */
    public static void secure(Path fileOrDir) {
        PosixFileAttributeView view = Files.getFileAttributeView(fileOrDir, PosixFileAttributeView.class);
        if (view == null) {
            return;
        }
        try {
            view.setPermissions(Files.isDirectory(fileOrDir) ? OWNER_DIR : OWNER_FILE);
        } catch (NoSuchFileException e) {
            // Gone already (Chronicle reports released files, also after their directory was removed).
        } catch (IOException e) {
            throw new LedgerException("cannot make " + fileOrDir + " owner-only: " + e.getMessage(), e);
        }
    }

    private static void checkOrCreate(Path dir, List<String> warnings) {
        if (Files.exists(dir)) {
            if (!Files.isDirectory(dir)) {
                throw new LedgerException(dir + " is not a directory: point the ledger at a directory of its own");
            }
            checkNotShared(dir, warnings);
            return;
        }
        try {
            if (Files.getFileStore(existingAncestor(dir)).supportsFileAttributeView(PosixFileAttributeView.class)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(OWNER_DIR));
                secure(dir); // the umask may have narrowed the requested mode; set it exactly
            } else {
                Files.createDirectories(dir);
            }
        } catch (IOException e) {
            throw new LedgerException("cannot create " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void checkNotShared(Path path, List<String> warnings) {
        Set<PosixFilePermission> perms = permissions(path);
        if (perms == null) {
            return;
        }
        if (perms.contains(PosixFilePermission.GROUP_WRITE) || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
            throw new LedgerException(path + " is " + PosixFilePermissions.toString(perms) + ": other users could change"
                + " or delete the journal, so the ledger refuses to open it. Fix: chmod " + (Files.isDirectory(path)
                ? "700 " : "600 ") + path);
        }
        if (Files.isDirectory(path)
            && (perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.OTHERS_READ))) {
            warnings.add(path + " is " + PosixFilePermissions.toString(perms) + ": other users can read the events."
                + " chmod 700 " + path + " to keep them private.");
        }
    }

    private static void checkFiles(Path journalDir) {
        try (Stream<Path> files = Files.list(journalDir)) {
            for (Path file : files.toList()) {
                checkNotShared(file, new ArrayList<>());
            }
        } catch (IOException e) {
            throw new LedgerException("cannot list " + journalDir + ": " + e.getMessage(), e);
        }
    }

    private static Set<PosixFilePermission> permissions(Path path) {
        try {
            PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class);
            return view == null ? null : view.readAttributes().permissions();
        } catch (IOException e) {
            throw new LedgerException("cannot read the permissions of " + path + ": " + e.getMessage(), e);
        }
    }

    private static String fileStoreType(Path path) {
        try {
            return Files.getFileStore(path).type().toLowerCase(Locale.ROOT);
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static Path existingAncestor(Path dir) {
        Path p = dir;
        while (p != null && !Files.exists(p)) {
            p = p.getParent();
        }
        return p == null ? dir.getRoot() : p;
    }
}
