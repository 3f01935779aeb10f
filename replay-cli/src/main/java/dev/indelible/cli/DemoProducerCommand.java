package dev.indelible.cli;

import dev.indelible.ledger.DaemonThreads;
import dev.indelible.ledger.EventId;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.projections.reference.DomainEvents;
import dev.indelible.projections.reference.Selfies;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A selfie bot in its own OS process, as in the selfies incident; the demo starts and kills these.
 * It stops when its stdin ends: the demo holds the other end of that pipe ({@link ChildProcess}),
 * so a bot never outlives a demo that was killed.
 */
@Command(name = "demo-producer", hidden = true,
    description = "Submits selfies and prints each acknowledged position; stops when stdin ends.")
final class DemoProducerCommand implements Callable<Integer> {
    static final Instant AT = Instant.parse("2025-11-04T12:07:00Z");
    /** The exit code of a bot whose demo died. */
    static final int ORPHANED = 86;

    @Option(names = "--data", required = true)
    Path data;

    @Option(names = "--name", required = true)
    String name;

    @Option(names = "--count", description = "Selfies to submit; -1 submits until killed.")
    long count = 1_000;

    @Override
    public Integer call() {
        DaemonThreads.start("exit-with-parent", DemoProducerCommand::haltAtEndOfStdin);
        LedgerConfig config = DomainEvents.register(LedgerConfig.builder()).producerId(name).build();
        try (Ledger ledger = Ledger.open(data, config)) {
            Selfies selfies = new Selfies(ledger);
            for (long i = 0; count < 0 || i < count; i++) {
                Selfies.SubmitResult r = selfies.submit(userId(i), "photo", fileId(name, i), AT.plusSeconds(i));
                System.out.println("ACK " + name + " " + i + " " + ((Selfies.Submitted) r).globalSeq());
            }
        }
        return Main.OK;
    }

    /** The demo never writes to the pipe: its end is the demo's end, however it died. */
    private static void haltAtEndOfStdin() {
        try {
            while (System.in.read(new byte[64]) >= 0) {
                // nothing is sent; the read only waits for the end
            }
        } catch (IOException closed) {
            // the same: the demo is gone
        }
        Runtime.getRuntime().halt(ORPHANED); // no shutdown hooks: nobody is left to wait for them
    }

    static long userId(long i) {
        return 1_201_911_100 + i % 8;
    }

    static String fileId(String producer, long i) {
        return producer + "-" + i;
    }

    /** The id of selfie {@code i} of {@code producer}: it derives from user and file, so a retry is recognised. */
    static EventId selfieId(String producer, long i) {
        return selfieIdOf(userId(i), fileId(producer, i));
    }

    static EventId selfieIdOf(long userId, String fileId) {
        return DomainEvents.eventId(DomainEvents.SELFIE_SUBMITTED, userId + "/" + fileId);
    }
}
