package dev.indelible.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.indelible.ledger.testing.AppendWorker;
import dev.indelible.ledger.testing.ChildJvm;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A real {@code fdatasync} fails with EIO (strace fault injection) under the SYNC policy: the
 * append in flight is not acknowledged, the ledger stops accepting with the reason, and after a
 * restart every acknowledged event is there and the journal verifies. Skipped where strace cannot
 * inject (it must be installed and allowed to trace).
 */
@Tag("system")
class SyncErrorTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void requireStrace() throws Exception {
        boolean works;
        try {
            Process p = new ProcessBuilder("strace", "-qq", "-o", "/dev/null", "-e", "inject=fdatasync:error=EIO", "true")
                .redirectErrorStream(true).start();
            works = p.waitFor() == 0;
        } catch (java.io.IOException e) {
            works = false;
        }
        assumeTrue(works, "strace with fault injection is not available here");
    }

    @ParameterizedTest(name = "fdatasync number {0} fails")
    @ValueSource(ints = {2, 10, 25})
    void shouldNotAcknowledgeTheAppendWhoseSyncFailedAndKeepEveryAcknowledgedOne(int failing) throws Exception {
        Path data = tmp.resolve("data");
        List<String> strace = List.of("strace", "-f", "-qq", "-o", "/dev/null", "-e", "trace=fdatasync",
            "-e", "inject=fdatasync:error=EIO:when=" + failing);
        List<String> lines;
        try (ChildJvm child = ChildJvm.startUnder(strace, AppendWorker.class, tmp.resolve("stderr.txt"),
            data.toString(), "synced", "1", "-1", "SYNC")) {
            assertEquals(3, child.awaitExit(120), "the producer must stop on the failed sync; stderr:\n" + child.stderrText());
            lines = child.lines();
        }
        List<String> acks = lines.stream().filter(l -> l.startsWith("ACK ")).toList();
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("FAILED ") && l.contains("sync failed")), lines.toString());
        assertTrue(acks.size() <= failing - 1, acks.size() + " acks, but only " + (failing - 1) + " syncs succeeded");

        try (Ledger ledger = Ledger.open(data, LedgerConfig.builder().durability(Durability.SYNC).build())) {
            for (String line : acks) {
                AppendWorker.Ack ack = AppendWorker.Ack.parse("synced", line);
                List<RecordedEvent> at = ledger.read(ack.globalSeq(), 1);
                assertEquals(ack.event().eventId(), at.get(0).eventId(), "acknowledged " + line);
            }
            VerifyReport report = ledger.verify();
            assertTrue(report.ok(), report.problems().toString());
            assertTrue(ledger.append("after-restart", ExpectedVersion.ANY, EventData.protobuf("t", new byte[] {1}))
                instanceof AppendResult.Appended, "appends resume after a restart");
        }
    }
}
