package dev.indelible.projections;

import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.testing.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The accounts incident: eight OS processes register the same 1,000 addresses at once. */
class EmailRaceTest {

    private static final int PROCESSES = 8;
    private static final int ADDRESSES = 1_000;

    @TempDir
    Path data;

    @Test
    void shouldRegisterEachAddressExactlyOnceAcrossEightProcesses() throws Exception {
        List<ChildJvm> children = new ArrayList<>();
        try {
            for (int p = 0; p < PROCESSES; p++) {
                children.add(ChildJvm.start(RegisterWorker.class, data.resolve("worker-" + p + ".err"),
                        data.toString(), Integer.toString(ADDRESSES), Integer.toString(p)));
            }
            int registered = 0;
            int taken = 0;
            Map<String, String> winners = new HashMap<>();
            for (ChildJvm child : children) {
                child.awaitSuccess(180);
                for (String line : child.lines()) {
                    String[] words = line.split(" ");
                    if (words[0].equals("REGISTERED")) {
                        registered += Integer.parseInt(words[1]);
                        taken += Integer.parseInt(words[3]);
                    } else {
                        assertNull(winners.put(words[1], words[2]), "two processes won " + words[1]);
                    }
                }
            }
            assertEquals(ADDRESSES, registered);
            assertEquals(ADDRESSES * (PROCESSES - 1), taken, "every other attempt was EmailTaken");
            assertProjectionAgrees(winners);
        } finally {
            children.forEach(ChildJvm::close);
        }
    }

    private void assertProjectionAgrees(Map<String, String> winners) {
        try (Ledger ledger = Ledger.open(data, DomainEvents.register(LedgerConfig.builder()).build());
             ProjectionEngine engine = ProjectionEngine.start(ledger, data.resolve("projections"),
                     List.of(new AccountsProjection()))) {
            assertTrue(engine.awaitCaughtUp(Duration.ofSeconds(60)));
            AccountsQueries accounts = new AccountsQueries(engine, ledger);
            assertEquals(ADDRESSES, accounts.count());
            winners.forEach((email, id) -> assertEquals(id, accounts.byEmail(email).orElseThrow().accountId(), email));
            assertEquals(ADDRESSES, ledger.head(), "losing attempts appended nothing");
        }
    }
}
