package dev.indelible.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** What every benchmark writes (a selfie-like record of about 128 bytes) and where (a temp directory). */
final class Workload {
    /** A selfie record as the incident's bot kept it: 128 bytes of JSON. */
    static final byte[] RECORD = pad("{\"user_id\":1201911108,\"media_type\":\"photo\",\"file_id\":"
        + "\"AgACAgIAAxkBAAIBZ2cX\",\"timestamp\":\"2025-11-04T12:07:00\",\"n\":\"", 128);

    private Workload() {
    }

    private static byte[] pad(String prefix, int length) {
        StringBuilder json = new StringBuilder(prefix);
        while (json.length() < length - 2) {
            json.append('x');
        }
        return json.append("\"}").toString().getBytes(StandardCharsets.UTF_8);
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
