package dev.indelible.cli;

import dev.indelible.ledger.Durability;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.projections.DomainEvents;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The option every command shares: where the data is. */
final class DataOptions {
    @Option(names = "--data", paramLabel = "DIR",
        description = "The data directory (default: $INDELIBLE_DATA, else ./indelible-data).")
    Path data;

    Path dir() {
        if (data != null) {
            return data;
        }
        String env = System.getenv("INDELIBLE_DATA");
        return env != null && !env.isBlank() ? Path.of(env) : Path.of("indelible-data");
    }

    Path projections() {
        return dir().resolve("projections");
    }

    /** Opens the ledger, creating the directory if needed, with the domain types validated. */
    Ledger openLedger(Durability durability) {
        return Ledger.open(dir(), DomainEvents.register(LedgerConfig.builder()).durability(durability).build());
    }

    /** Opens an existing ledger; a directory without one is a usage error, not a new empty ledger. */
    Ledger openExistingLedger() {
        if (!Files.isDirectory(dir().resolve("journal"))) {
            throw new IllegalArgumentException("no ledger at " + dir().toAbsolutePath()
                + " (give --data DIR or set INDELIBLE_DATA)");
        }
        return openLedger(Durability.MEMORY_MAPPED);
    }
}
