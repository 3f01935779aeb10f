package dev.indelible.ledger.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/** Placeholder with the agreed contract; replaced by the helper/datadir branch. */
public final class DataDirectory {
    private final Path root;

    private DataDirectory(Path root) {
        this.root = root;
    }

    public static DataDirectory prepare(Path dataDir) {
        try {
            Files.createDirectories(dataDir.resolve("journal"));
            Files.createDirectories(dataDir.resolve("journal-state"));
        } catch (IOException e) {
            throw new dev.indelible.ledger.LedgerException("cannot create " + dataDir, e);
        }
        return new DataDirectory(dataDir);
    }

    public Path root() {
        return root;
    }

    public Path journalDir() {
        return root.resolve("journal");
    }

    public Path stateDir() {
        return root.resolve("journal-state");
    }

    public List<String> warnings() {
        return List.of();
    }

    public static void secure(Path fileOrDir) {
    }

    public static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
