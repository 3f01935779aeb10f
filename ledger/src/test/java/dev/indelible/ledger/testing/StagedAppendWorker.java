package dev.indelible.ledger.testing;

import dev.indelible.ledger.ContentType;
import dev.indelible.ledger.Durability;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.EventId;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

/**
 * A staged append in a process of its own, for kill and power-cut tests: {@code <dataDir> <events>}
 * appends that many events over 100 streams through {@link Ledger#appendAllOrNothing}, acknowledged
 * unsynced, and prints {@code staged <events>} once the swap is done.
 */
public final class StagedAppendWorker {
    private StagedAppendWorker() {
    }

    public static void main(String[] args) {
        Path data = Path.of(args[0]);
        int events = Integer.parseInt(args[1]);
        int done = Ledger.appendAllOrNothing(data, LedgerConfig.builder().durability(Durability.MEMORY_MAPPED).build(),
            staged -> {
                for (int i = 0; i < events; i++) {
                    staged.appendAsync("staged-" + i % 100, ExpectedVersion.ANY, event(i));
                }
                return events;
            });
        System.out.println("staged " + done);
    }

    /** The {@code i}-th staged event; its id derives from {@code i}. */
    public static EventData event(int i) {
        return new EventData(EventId.of(UUID.nameUUIDFromBytes(("staged-" + i).getBytes(StandardCharsets.UTF_8))),
            "staged.event", ContentType.JSON, ("{\"i\":" + i + "}").getBytes(StandardCharsets.UTF_8), Map.of());
    }
}
