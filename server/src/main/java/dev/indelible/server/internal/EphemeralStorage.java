package dev.indelible.server.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The warning {@code indelible status} and the console give about a data directory on a file
 * system that vanishes with its machine or container. Public for the {@code indelible} CLI only,
 * not API. Stateless and thread-safe.
 */
public final class EphemeralStorage {

    private EphemeralStorage() {
    }

    /** The warning for {@code dir} (or the nearest directory that exists), empty when its file system persists. */
    public static Optional<String> warning(Path dir) throws IOException {
        Path existing = dir.toAbsolutePath();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        String fs = Files.getFileStore(existing == null ? Path.of(".") : existing).type();
        if (fs.equals("tmpfs") || fs.startsWith("overlay") || fs.equals("ramfs")) {
            return Optional.of(dir.toAbsolutePath() + " is on " + fs + ": it vanishes with the machine or container;"
                + " put it on a persistent volume");
        }
        return Optional.empty();
    }
}
