package dev.indelible.projections;

import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.projections.reference.CommunityQueries;
import dev.indelible.projections.reference.DomainEvents;
import dev.indelible.projections.reference.MixedEvents;
import dev.indelible.projections.reference.ReferenceProjections;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A projection is a pure function of the journal: followed live while 200,000 mixed events are
 * appended, and rebuilt twice from scratch, each reference projection gives one digest.
 */
@Tag("system")
class DeterminismTest {

    private static final int EVENTS = Integer.getInteger("indelible.determinismEvents", 200_000);

    @TempDir
    Path data;

    @Test
    void shouldGiveTheSameDigestLiveAndOnEveryRebuild() {
        try (Ledger ledger = Ledger.open(data, DomainEvents.register(LedgerConfig.builder()).build());
             ProjectionEngine engine = ProjectionEngine.start(ledger, data.resolve("projections"), ReferenceProjections.all())) {
            MixedEvents events = new MixedEvents(ledger, 20261125L, "");
            while (ledger.head() < EVENTS) {
                events.next();
            }
            assertTrue(engine.awaitCaughtUp(Duration.ofMinutes(2)));
            Map<String, String> live = new HashMap<>();
            for (Projection p : ReferenceProjections.all()) {
                live.put(p.name(), engine.digest(p.name()));
            }
            for (Projection p : ReferenceProjections.all()) {
                RebuildResult first = engine.rebuild(p.name());
                RebuildResult second = engine.rebuild(p.name());
                assertEquals(live.get(p.name()), first.previousDigest(), p.name());
                assertEquals(live.get(p.name()), first.newDigest(), p.name() + ": first rebuild");
                assertEquals(live.get(p.name()), second.newDigest(), p.name() + ": second rebuild");
                assertNotEquals(first.newVersion(), second.newVersion());
                assertTrue(first.applied() > 0, p.name() + " consumed some of the mix");
                System.out.printf("%s: %,d events read, %,d applied, %.0f events/s, digest %s%n", p.name(),
                        second.events(), second.applied(), second.eventsPerSecond(), second.newDigest().substring(0, 12));
            }
            assertEquals(java.util.List.of(), new CommunityQueries(engine).integrityReport());
        }
    }
}
