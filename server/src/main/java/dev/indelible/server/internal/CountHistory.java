package dev.indelible.server.internal;

import dev.indelible.ledger.AtomicFile;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;

/**
 * The projection counts seen last, so the next look can say when a count fell (the messages
 * incident: dashboards went empty during a rebuild and nobody was told). {@code indelible status}
 * keeps them between runs in {@code <data>/projections/status-counts.properties}; the console
 * starts from that file and compares in memory from then on, never writing it, so {@code status}
 * still compares with its own previous run. Public for the CLI only, not API. Not thread-safe.
 */
public final class CountHistory {
    /** The one projection whose count may fall: a video can be removed; the others only grow. */
    private static final String MAY_FALL = "videos";

    private final Path file;
    private final Properties counts = new Properties();

    /** The counts the last {@code status} saw in {@code dataDir} (none when it never ran). */
    public CountHistory(Path dataDir) {
        this.file = dataDir.resolve("projections").resolve("status-counts.properties");
        if (Files.exists(file)) {
            try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                counts.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * Records {@code count} (negative: the projection keeps none); returns a warning when it is below
     * the previous one.
     *
     * @param since what saw the previous count, for the warning: "the previous status"
     */
    public Optional<String> compare(String projection, long count, String since) {
        if (count < 0 || projection.equals(MAY_FALL)) {
            return Optional.empty();
        }
        String previous = counts.getProperty(projection);
        counts.setProperty(projection, Long.toString(count));
        if (previous != null && Long.parseLong(previous) > count) {
            return Optional.of(String.format("projection %s: count fell from %,d to %,d since %s;"
                + " events are never removed from the journal, so check `indelible verify --projections`",
                projection, Long.parseLong(previous), count, since));
        }
        return Optional.empty();
    }

    /** Keeps the counts for the next {@code status}. */
    public void save() {
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
