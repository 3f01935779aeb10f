package dev.indelible.ledger.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.EventId;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerException;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.LedgerCopy;
import dev.indelible.ledger.kafka.testing.SharedKafka;
import dev.indelible.projections.OfflineProjections;
import dev.indelible.projections.ProjectionEngine;
import dev.indelible.projections.RebuildListener;
import dev.indelible.projections.RebuildResult;
import dev.indelible.projections.reference.DomainEvents;
import dev.indelible.projections.reference.MixedEvents;
import dev.indelible.projections.proto.AccountRegistered;
import dev.indelible.projections.reference.ReferenceProjections;
import java.nio.charset.StandardCharsets;
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

    /**
     * Writers of one topic share no key store, so a Kafka ledger seals nothing: an address is
     * reserved under its own name whichever node writes, and there is nothing to erase.
     */
    @Test
    void shouldKeepPersonalDataInClearOnKafkaSoEveryWriterReservesAnAddressUnderOneName() {
        LedgerConfig config = DomainEvents.register(LedgerConfig.builder()).build();
        String email = "clear-" + dir.getFileName() + "@example.com";
        EventData registered = DomainEvents.event(DomainEvents.ACCOUNT_REGISTERED,
            AccountRegistered.newBuilder().setAccountId("a-1").setEmail(email).setDisplayName("Ada").build());
        try (Ledger first = SharedKafka.open(dir.resolve("node-1"), config)) {
            AppendResult appended = first.append("email-" + email, ExpectedVersion.NO_STREAM, registered);
            assertEquals("email-" + email, ((AppendResult.Appended) appended).stream());
            String stored = new String(first.readStream("email-" + email, 0, 1).get(0).payload(), StandardCharsets.UTF_8);
            assertTrue(stored.contains(email) && stored.contains("Ada") && !stored.contains("enc:v1:"), stored);
            assertFalse(first.personalData().isSealed(email));
            LedgerException refused = assertThrows(LedgerException.class, () -> first.personalData().erase("account-a-1", "test"));
            assertTrue(refused.getMessage().contains("Kafka"), refused.getMessage());
        }
        // the same topic, from another node's data directory
        try (Ledger second = KafkaLedger.open(SharedKafka.journalFor(dir.resolve("node-1")), dir.resolve("node-2"), config)) {
            AppendResult again = second.append("email-" + email, ExpectedVersion.NO_STREAM, registered.withEventId(EventId.random()));
            assertInstanceOf(AppendResult.WrongExpectedVersion.class, again, "the address is taken on every writer");
        }
    }
}
