package dev.indelible.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.indelible.ledger.testing.AppendWorker;
import dev.indelible.ledger.testing.ChildJvm;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two writers that do not share a PID namespace cannot tell each other apart through Chronicle's
 * pid lock (both may be pid 1): the second is refused at open, with the reason, and the journal
 * stays intact. Needs {@code unshare --pid} (root, or user namespaces); skipped with a message otherwise.
 */
@Tag("system")
class PidNamespaceTest {
    private static final List<String> NEW_PID_NAMESPACE = List.of("unshare", "--pid", "--fork", "--mount-proc");

    @TempDir
    Path tmp;

    @BeforeAll
    static void requireUnshare() throws Exception {
        Process p = new ProcessBuilder("unshare", "--pid", "--fork", "--mount-proc", "true").redirectErrorStream(true).start();
        assumeTrue(p.waitFor() == 0, "unshare --pid is not allowed here: "
            + new String(p.getInputStream().readAllBytes()).strip());
    }

    @Test
    void shouldRefuseAWriterFromAnotherPidNamespaceWhileOneIsOpen() throws Exception {
        Path data = tmp.resolve("data");
        try (Ledger ledger = Ledger.open(data, LedgerConfig.defaults())) {
            ledger.append("host-stream", ExpectedVersion.ANY, EventData.protobuf("t", new byte[] {1}));

            try (ChildJvm child = containedWriter(data)) {
                int exit = child.awaitExit(120);

                assertNotEquals(0, exit, "the writer in another PID namespace must be refused");
                assertTrue(child.stderrText().contains("another PID namespace"), child.stderrText());
            }
            assertEquals(1, ledger.head(), "nothing written by the refused writer");
            assertTrue(ledger.verify().ok());
        }
    }

    @Test
    void shouldLetAnotherNamespaceWriteOnceTheFirstWriterClosed() throws Exception {
        Path data = tmp.resolve("data");
        try (Ledger ledger = Ledger.open(data, LedgerConfig.defaults())) {
            ledger.append("host-stream", ExpectedVersion.ANY, EventData.protobuf("t", new byte[] {1}));
        }

        try (ChildJvm child = containedWriter(data)) {
            assertEquals(0, child.awaitExit(120), child.stderrText());
        }
        try (Ledger ledger = Ledger.open(data, LedgerConfig.defaults())) {
            assertEquals(101, ledger.head());
            assertTrue(ledger.verify().ok());
        }
    }

    /** A producer of 100 events in a new PID namespace, where it is pid 1 like the container it stands for. */
    private ChildJvm containedWriter(Path data) throws java.io.IOException {
        return ChildJvm.startUnder(NEW_PID_NAMESPACE, AppendWorker.class, tmp.resolve("stderr.txt"),
            data.toString(), "contained", "1", "100");
    }
}
