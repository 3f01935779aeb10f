package dev.indelible.cli;

import dev.indelible.ledger.AtomicFile;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;

/**
 * The projection counts the previous {@code status} saw, so this one can say when a count fell (the
 * messages incident: dashboards went empty during a rebuild and nobody was told).
 */
final class CountHistory {
    private final Path file;
    private final Properties counts = new Properties();

    CountHistory(Path file) {
        this.file = file;
        if (Files.exists(file)) {
            try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                counts.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Records {@code count}; returns a warning when it is below the previous one. */
    Optional<String> compare(String projection, long count) {
        if (count < 0) {
            return Optional.empty();
        }
        String previous = counts.getProperty(projection);
        counts.setProperty(projection, Long.toString(count));
        if (previous != null && Long.parseLong(previous) > count) {
            return Optional.of(String.format("projection %s: count fell from %,d to %,d since the previous status;"
                + " events are never removed from the journal, so check `indelible verify --projections`",
                projection, Long.parseLong(previous), count));
        }
        return Optional.empty();
    }

    void save() {
        if (!Files.isDirectory(file.getParent())) {
            return;
        }
        try {
            // store flushes the writer and leaves the stream open, as AtomicFile wants.
            AtomicFile.write(file, out -> counts.store(new OutputStreamWriter(out, StandardCharsets.UTF_8),
                "projection counts seen by the last `indelible status`"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
