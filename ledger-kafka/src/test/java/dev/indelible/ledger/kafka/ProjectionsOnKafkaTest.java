package dev.indelible.ledger.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.LedgerCopy;
import dev.indelible.ledger.kafka.testing.SharedKafka;
import dev.indelible.projections.OfflineProjections;
import dev.indelible.projections.ProjectionEngine;
import dev.indelible.projections.RebuildListener;
import dev.indelible.projections.RebuildResult;
import dev.indelible.projections.reference.DomainEvents;
import dev.indelible.projections.reference.MixedEvents;
import dev.indelible.projections.reference.ReferenceProjections;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The five reference projections built from a Kafka journal equal, digest for digest, the same
 * projections built from the embedded journal holding the same events: by a rebuild, and by the
 * live engine following the topic.
 */
@Tag("system")
class ProjectionsOnKafkaTest {
    private static final RebuildListener NO_PROGRESS = (position, target) -> { };

    @TempDir
    Path dir;

    @Test
    void shouldBuildTheSameProjectionsFromKafkaAsFromTheEmbeddedJournal() throws Exception {
        LedgerConfig config = DomainEvents.register(LedgerConfig.builder()).build();
        try (Ledger embedded = Ledger.open(dir.resolve("embedded"), config)) {
            MixedEvents workload = new MixedEvents(embedded, 42, "k");
            for (int i = 0; i < 4_000; i++) {
                workload.next();
            }
            long events = embedded.head();
            try (Ledger kafka = SharedKafka.open(dir.resolve("kafka"), config)) {
                LedgerCopy.Copied copied = LedgerCopy.copy(embedded, events, kafka);
                assertEquals(copied.digest(), LedgerCopy.digest(kafka, events));

                List<RebuildResult> fromEmbedded = OfflineProjections.rebuild(embedded, dir.resolve("embedded-projections"),
                    ReferenceProjections.all(), NO_PROGRESS);
                List<RebuildResult> fromKafka = OfflineProjections.rebuild(kafka, dir.resolve("kafka-projections"),
                    ReferenceProjections.all(), NO_PROGRESS);
                for (int i = 0; i < fromEmbedded.size(); i++) {
                    assertEquals(fromEmbedded.get(i).newDigest(), fromKafka.get(i).newDigest(),
                        fromEmbedded.get(i).projection() + " differs");
                    assertEquals(events, fromKafka.get(i).events());
                }

                try (ProjectionEngine live = ProjectionEngine.start(kafka, dir.resolve("kafka-live"), ReferenceProjections.all())) {
                    assertEquals(true, live.awaitCaughtUp(Duration.ofSeconds(60)));
                    for (RebuildResult expected : fromEmbedded) {
                        assertEquals(expected.newDigest(), live.digest(expected.projection()), expected.projection() + " differs when followed live");
                    }
                }
                System.out.printf("%,d events: the five projections from Kafka equal the embedded journal's%n", events);
            }
        }
    }
}
