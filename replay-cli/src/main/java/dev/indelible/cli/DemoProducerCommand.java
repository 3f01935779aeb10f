package dev.indelible.cli;

import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.ContentType;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.EventId;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** A selfie bot in its own OS process, as in the selfies incident; the demo starts and kills these. */
@Command(name = "demo-producer", hidden = true, description = "Appends selfies and prints each acknowledged position.")
final class DemoProducerCommand implements Callable<Integer> {
    @Option(names = "--data", required = true)
    Path data;

    @Option(names = "--name", required = true)
    String name;

    @Option(names = "--count", description = "Selfies to append; -1 appends until killed.")
    long count = 1_000;

    @Override
    public Integer call() {
        try (Ledger ledger = Ledger.open(data, LedgerConfig.builder().producerId(name).build())) {
            for (long i = 0; count < 0 || i < count; i++) {
                AppendResult r = ledger.append("selfies-user-" + (1_201_911_100 + i % 8), ExpectedVersion.ANY,
                    selfie(name, i));
                System.out.println("ACK " + name + " " + i + " " + ((AppendResult.Appended) r).firstGlobalSeq());
            }
        }
        return Main.OK;
    }

    /** The selfie number {@code i} of producer {@code name}; its id derives from both, so a retry is recognised. */
    static EventData selfie(String name, long i) {
        String json = "{\"user_id\":" + (1_201_911_100 + i % 8) + ",\"media_type\":\"photo\",\"file_id\":\"" + name
            + "-" + i + "\",\"submitted_at\":\"2025-11-04T12:07:00Z\"}";
        EventId id = EventId.of(UUID.nameUUIDFromBytes((name + "/" + i).getBytes(StandardCharsets.UTF_8)));
        return new EventData(id, "selfie.submitted", ContentType.JSON, json.getBytes(StandardCharsets.UTF_8), Map.of());
    }
}
