package dev.indelible.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.indelible.ledger.testing.AppendWorker;
import dev.indelible.ledger.testing.AppendWorker.Ack;
import dev.indelible.ledger.testing.ChildJvm;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A producer process killed with SIGKILL at random moments, 50 times on one directory: every
 * acknowledged append is there with its position, the journal verifies, appending resumes. This
 * proves atomicity at a process crash (the kernel keeps the mmap's dirty pages); power cuts are
 * the faults issue's tests.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES) // 62 s on 2 cores at a load of 9 to 13
@Tag("system")
class KillNineTest {
    private static final int KILLS = Integer.getInteger("indelible.kills", 50);

    @TempDir
    Path tmp;

    @Test
    void shouldKeepEveryAcknowledgedAppendThroughFiftyKills() throws Exception {
        long seed = Long.getLong("indelible.seed", System.nanoTime());
        System.out.println("KillNineTest seed " + seed + " (rerun with -Dindelible.seed=" + seed + ")");
        Random random = new Random(seed);
        Path data = tmp.resolve("data");
        List<Ack> acks = new ArrayList<>();
        long started = System.nanoTime();

        for (int run = 0; run < KILLS; run++) {
            String producer = "run" + run;
            try (ChildJvm child = ChildJvm.start(AppendWorker.class, tmp.resolve("stderr-" + run + ".txt"),
                data.toString(), producer, "2", "-1")) {
                child.awaitLines(1 + random.nextInt(400), 60);
                child.kill9();
                for (String line : child.lines()) {
                    acks.add(Ack.parse(producer, line));
                }
            }
            if (run % 10 == 9 || run == KILLS - 1) {
                checkEveryAck(data, acks, run == KILLS - 1);
            }
        }
        System.out.printf("%d kills, %d acknowledged appends checked, %.1f s%n", KILLS, acks.size(),
            (System.nanoTime() - started) / 1e9);
    }

    private static void checkEveryAck(Path data, List<Ack> acks, boolean last) {
        try (Ledger ledger = Ledger.open(data, LedgerConfig.defaults())) {
            List<EventId> journal = new ArrayList<>();
            for (List<RecordedEvent> page = ledger.read(0, 10_000); !page.isEmpty(); page = ledger.read(journal.size(), 10_000)) {
                page.forEach(e -> journal.add(e.eventId()));
            }
            for (Ack ack : acks) {
                assertTrue(ack.globalSeq() < journal.size(), "acknowledged global_seq " + ack.globalSeq() + " is missing");
                assertEquals(ack.event().eventId(), journal.get((int) ack.globalSeq()),
                    "the event at global_seq " + ack.globalSeq() + " is not the one acknowledged there");
            }
            VerifyReport report = ledger.verify();
            assertTrue(report.ok(), report.problems().toString());
            assertEquals(ledger.head(), report.eventsChecked());
            if (!last) {
                assertTrue(ledger.append("after-a-kill", ExpectedVersion.ANY, EventData.protobuf("t", new byte[] {1}))
                    instanceof AppendResult.Appended, "appending resumes after a kill");
            }
        }
    }
}
