package dev.indelible.benchmarks;

import dev.indelible.ledger.EventData;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.projections.reference.DomainEvents;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

/** What every benchmark writes (a selfie-like record of about 128 bytes) and where (a temp directory). */
final class Workload {
    /** A selfie record as the incident's bot kept it: 128 bytes of JSON. */
    static final byte[] RECORD = pad("{\"user_id\":1201911108,\"media_type\":\"photo\",\"file_id\":"
        + "\"AgACAgIAAxkBAAIBZ2cX\",\"timestamp\":\"2025-11-04T12:07:00\",\"n\":\"", 128);

    /**
     * Filler of the length of the ledger's record of {@link #RECORD} as {@code indelibleAppend}
     * appends it (a stream {@code selfies-user-<thread id>}, two digits here), measured by writing one.
     */
    static final byte[] LEDGER_SIZED_RECORD = new byte[ledgerRecordLength()];

    private Workload() {
    }

    private static byte[] pad(String prefix, int length) {
        StringBuilder json = new StringBuilder(prefix);
        while (json.length() < length - 2) {
            json.append('x');
        }
        return json.append("\"}").toString().getBytes(StandardCharsets.UTF_8);
    }

    private static int ledgerRecordLength() {
        Path dir = tempDir("record-length");
        try {
            try (Ledger ledger = Ledger.open(dir, DomainEvents.register(LedgerConfig.builder()).build())) {
                ledger.append("selfies-user-10", ExpectedVersion.ANY, EventData.json("selfie.recorded", RECORD));
            }
            try (ChronicleQueue journal = SingleChronicleQueueBuilder.binary(dir.resolve("journal")).readOnly(true).build();
                 ExcerptTailer tailer = journal.createTailer()) {
                int length = -1;
                while (true) {
                    try (DocumentContext record = tailer.readingDocument()) {
                        if (!record.isPresent()) {
                            return length;
                        }
                        length = (int) record.wire().bytes().readRemaining();
                    }
                }
            }
        } finally {
            delete(dir);
        }
    }

    static Path tempDir(String name) {
        try {
            Path base = Path.of(System.getProperty("indelible.bench.dir", System.getProperty("java.io.tmpdir")));
            Files.createDirectories(base);
            return Files.createTempDirectory(base, "indelible-bench-" + name + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void delete(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
