package dev.indelible.cli;

import dev.indelible.ledger.testing.ChildJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Four `indelible append --ndjson` processes at once: every line acknowledged once, the count exact. */
@Tag("system")
class ConcurrentNdjsonAppendTest {
    private static final int PROCESSES = 4;
    private static final int LINES = 5_000;

    @TempDir
    Path tmp;

    @Test
    void shouldAppendEveryLineOfFourConcurrentProcessesExactlyOnce() throws Exception {
        Path data = tmp.resolve("data");
        List<ChildJvm> children = new ArrayList<>();
        try {
            for (int p = 0; p < PROCESSES; p++) {
                Path input = tmp.resolve("input-" + p + ".ndjson");
                List<String> lines = new ArrayList<>();
                for (int i = 0; i < LINES; i++) {
                    lines.add("{\"stream\": \"messages-p" + p + "\", \"type\": \"message.posted\", \"data\": {\"message_id\": \"m"
                        + p + "-" + i + "\", \"project\": \"p" + p + "\", \"channel\": \"c\", \"user\": \"u\","
                        + " \"posted_at\": \"2026-11-25T01:00:00Z\"}}");
                }
                Files.write(input, lines);
                children.add(ChildJvm.start(Main.class, tmp.resolve("child-" + p + ".err"),
                    "append", "--data", data.toString(), "--ndjson", input.toString(), "--json"));
            }
            Set<String> positions = new HashSet<>();
            for (ChildJvm child : children) {
                child.awaitSuccess(180);
                assertEquals(LINES, child.lines().size(), "every line acknowledged");
                for (String ack : child.lines()) {
                    assertTrue(positions.add(ack.substring(0, ack.indexOf(','))), "one position per line: " + ack);
                }
            }
            assertEquals(PROCESSES * LINES, positions.size());
            new Cli(data).assertJournal(PROCESSES * LINES);
        } finally {
            children.forEach(ChildJvm::close);
        }
    }
}
