package dev.indelible.cli;

import dev.indelible.ledger.Ledger;
import dev.indelible.projections.ProjectionEngine;
import dev.indelible.projections.RebuildResult;
import dev.indelible.projections.reference.Messages;
import dev.indelible.projections.reference.MessagesQueries;
import dev.indelible.projections.reference.ReferenceProjections;
import dev.indelible.projections.reference.Videos;
import dev.indelible.projections.reference.VideosQueries;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/** The demo's projection scenes: derived exports, a rebuild under readers, a damaged projection. */
final class DemoProjectionScenes {
    private static final int MESSAGES = 20_000;
    private static final Duration CATCH_UP = Duration.ofMinutes(2);

    private final Ledger ledger;
    private final Path dir;
    private final DemoLog log;
    private ProjectionEngine engine;

    DemoProjectionScenes(Ledger ledger, Path dir, DemoLog log) {
        this.ledger = ledger;
        this.dir = dir;
        this.log = log;
    }

    ProjectionEngine engine() {
        return engine;
    }

    void start() {
        engine = ProjectionEngine.start(ledger, dir.resolve("projections"), ReferenceProjections.all());
    }

    void videoExports() throws IOException {
        log.scene("7. Videos: the journal is the only store; results.json and its base64 copy are exports (restore deleted first)");
        Videos videos = new Videos(ledger);
        videos.recordProcessed("vid-1", "https://example.com/1", "Sunrise", "{\"frames\": 1200, \"faces\": 3}");
        videos.recordProcessed("vid-2", "https://example.com/2", "Harbour", "{\"frames\": 800, \"faces\": 0}");
        videos.recordProcessed("vid-1", "https://example.com/1", "Sunrise", "{\"frames\": 1200, \"faces\": 4}");
        videos.recordProcessed("vid-3", "https://example.com/3", "Mistake", "{}");
        videos.remove("vid-3");
        awaitCaughtUp();
        Path exports = Files.createDirectories(dir.resolve("exports"));
        VideosQueries queries = new VideosQueries(engine);
        byte[] before = queries.exportResultsJson();
        Files.write(exports.resolve("results.json"), before);
        Files.write(exports.resolve("results.json.b64"), queries.exportResultsJsonBase64());
        engine.rebuild("videos");
        boolean identical = Arrays.equals(before, queries.exportResultsJson());
        log.say("%d videos exported to %s; after a rebuild the export is byte-identical: %s", queries.count(), exports,
            identical ? "yes" : "NO");
        if (!identical) {
            log.failed("the videos export changed across a rebuild");
        }
    }

    void messagesRebuildUnderReaders() throws InterruptedException {
        log.scene(String.format("8. Messages: dashboards query while the index is rebuilt (the rebuild deleted Redis indexes)"));
        Messages messages = new Messages(ledger);
        Instant t0 = Instant.parse("2025-11-04T00:00:00Z");
        DemoAppendScenes.runTogether(4, t -> {
            for (int i = t; i < MESSAGES; i += 4) {
                messages.post("m-" + i, "project-" + i % 3, "channel-" + i % 7, "user-" + i % 50, t0.plusSeconds(i));
            }
        });
        awaitCaughtUp();
        MessagesQueries queries = new MessagesQueries(engine);
        long expected = queries.countByProject("project-1");
        AtomicBoolean rebuilding = new AtomicBoolean(true);
        AtomicLong reads = new AtomicLong();
        AtomicLong partial = new AtomicLong();
        Thread[] readers = new Thread[4];
        for (int r = 0; r < readers.length; r++) {
            readers[r] = new Thread(() -> {
                while (rebuilding.get()) {
                    if (queries.countByProject("project-1") != expected) {
                        partial.incrementAndGet();
                    }
                    reads.incrementAndGet();
                }
            });
            readers[r].start();
        }
        RebuildResult result = engine.rebuild("messages");
        rebuilding.set(false);
        for (Thread reader : readers) {
            reader.join();
        }
        log.say("rebuilt %s -> %s at %,.0f events/s; %,d dashboard queries meanwhile, %d saw a partial answer; digests equal: %s",
            result.previousVersion(), result.newVersion(), result.eventsPerSecond(), reads.get(), partial.get(),
            result.newDigest().equals(result.previousDigest()) ? "yes" : "NO");
        if (partial.get() > 0 || !result.newDigest().equals(result.previousDigest())) {
            log.failed("the messages rebuild was visible to readers or changed the digest");
        }
    }

    void damagedProjection() throws IOException {
        log.scene("9. A projection's file is damaged on disk: it is quarantined, never deleted, and rebuilt");
        awaitCaughtUp();
        String digest = engine.digest("selfies");
        Path version = dir.resolve("projections/selfies").resolve(
            Files.readString(dir.resolve("projections/selfies/CURRENT")).strip());
        engine.close();
        Path table = largestTable(version);
        try (RandomAccessFile file = new RandomAccessFile(table.toFile(), "rw")) {
            file.seek(file.length() / 3);
            file.write(new byte[] {0x0b, 0x0a, 0x0d});
        }
        log.say("garbled 3 bytes of %s", dir.relativize(table));
        start();
        String after = engine.digest("selfies");
        try (Stream<Path> quarantined = Files.list(dir.resolve("projections/selfies/quarantine"))) {
            quarantined.forEach(q -> log.say("quarantined: %s", dir.relativize(q)));
        }
        log.say("rebuilt as %s; digest equal to before the damage: %s", engine.status("selfies").liveVersion(),
            digest.equals(after) ? "yes" : "NO");
        if (!digest.equals(after)) {
            log.failed("the rebuilt selfies projection differs from the damaged one's digest");
        }
    }

    void awaitCaughtUp() {
        if (!engine.awaitCaughtUp(CATCH_UP)) {
            log.failed("projections did not catch up within " + CATCH_UP);
        }
    }

    private static Path largestTable(Path version) throws IOException {
        try (Stream<Path> files = Files.list(version)) {
            return files.filter(p -> p.toString().endsWith(".sst"))
                .max(Comparator.comparingLong(p -> p.toFile().length()))
                .orElseThrow(() -> new IOException("no table file in " + version));
        }
    }
}
