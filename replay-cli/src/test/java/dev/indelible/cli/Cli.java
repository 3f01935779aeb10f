package dev.indelible.cli;

import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.VerifyReport;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs the command through its real entry point, in-process, with captured output. */
final class Cli {
    private final Path data;

    Cli(Path data) {
        this.data = data;
    }

    Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        List<String> all = new ArrayList<>(Arrays.asList(args));
        if (!all.contains("--data") && !all.isEmpty()) {
            all.add(1, "--data");
            all.add(2, data.toString());
        }
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), all.toArray(String[]::new));
        return new Result(code, out.toString(), err.toString());
    }

    /** The name the ledger stores {@code stream} under: a reservation stream's keyed hash, any other name itself. */
    String stored(String stream) {
        try (Ledger ledger = Ledger.open(data, dev.indelible.projections.reference.DomainEvents.register(
            dev.indelible.ledger.LedgerConfig.builder()).build())) {
            return ledger.personalData().streamName(stream);
        }
    }

    /** The journal verifies and holds exactly {@code events} events. */
    void assertJournal(long events) {
        VerifyReport report = Ledger.verify(data);
        assertTrue(report.ok(), report.toString());
        assertEquals(events, report.eventsChecked(), "events in the journal");
    }

    record Result(int code, String out, String err) {
        List<String> lines() {
            return out.isBlank() ? List.of() : List.of(out.strip().split("\n"));
        }

        Result expect(int expected) {
            assertEquals(expected, code, () -> "exit code; stdout:\n" + out + "\nstderr:\n" + err);
            return this;
        }
    }
}
