package dev.indelible.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PersonalDataTest {

    private static final LedgerConfig CONFIG = LedgerConfig.builder()
        .personalFields("customer.added", PersonalFields.json("customer-", "customer_id", "email", "name"))
        .personalStreams("email-")
        .build();

    @TempDir
    Path dir;

    private static EventData added(EventId id, String customer, String email, String name) {
        String json = "{\"customer_id\":\"" + customer + "\",\"email\":\"" + email + "\",\"name\":\"" + name + "\",\"n\":1}";
        return new EventData(id, "customer.added", ContentType.JSON, json.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    private static String payload(RecordedEvent e) {
        return new String(e.payload(), StandardCharsets.UTF_8);
    }

    @Test
    void shouldSealPersonalFieldsAndHashReservationStreams() {
        try (Ledger ledger = Ledger.open(dir, CONFIG)) {
            EventId id = EventId.random();
            AppendResult first = ledger.append("email-alice@example.com", ExpectedVersion.NO_STREAM,
                added(id, "c1", "alice@example.com", "Alice"));
            assertInstanceOf(AppendResult.Appended.class, first);
            RecordedEvent stored = ledger.read(0, 1).get(0);
            assertFalse(payload(stored).contains("alice@example.com") || payload(stored).contains("Alice"), payload(stored));
            assertTrue(payload(stored).contains("\"customer_id\":\"c1\"") && payload(stored).contains("\"n\":1"), payload(stored));
            assertTrue(stored.stream().matches("email-[0-9a-f]{64}"), stored.stream());
            assertEquals(stored.stream(), ledger.personalData().streamName("email-alice@example.com"));
            assertEquals(1, ledger.readStream("email-alice@example.com", 0, 10).size(), "read by the name in clear");

            String email = payload(stored).replaceAll(".*\"email\":\"([^\"]+)\".*", "$1");
            assertEquals("alice@example.com", ledger.personalData().open("email", email));

            AppendResult retry = ledger.append("email-alice@example.com", ExpectedVersion.NO_STREAM,
                added(id, "c1", "alice@example.com", "Alice"));
            assertTrue(((AppendResult.Appended) retry).duplicate(), "a retry seals to the same bytes: " + retry);
            AppendResult taken = ledger.append("email-alice@example.com", ExpectedVersion.NO_STREAM,
                added(EventId.random(), "c2", "alice@example.com", "Other"));
            assertInstanceOf(AppendResult.WrongExpectedVersion.class, taken);
        }
    }

    @Test
    void shouldReadErasedValuesAsErasedAndRefuseTheSubjectAgain() throws Exception {
        String email;
        try (Ledger ledger = Ledger.open(dir, CONFIG)) {
            ledger.append("email-alice@example.com", ExpectedVersion.NO_STREAM, added(EventId.random(), "c1", "alice@example.com", "Alice"));
            ledger.append("email-bob@example.com", ExpectedVersion.NO_STREAM, added(EventId.random(), "c2", "bob@example.com", "Bob"));
            email = payload(ledger.read(0, 1).get(0)).replaceAll(".*\"email\":\"([^\"]+)\".*", "$1");
            assertTrue(ledger.personalData().erase("customer-c1", "test"));
            assertFalse(ledger.personalData().erase("customer-c1", "test"), "erased once");
            assertEquals(PersonalData.ERASED, ledger.personalData().open("email", email));
            InvalidEventException refused = assertThrows(InvalidEventException.class, () -> ledger.append("email-carol@example.com",
                ExpectedVersion.NO_STREAM, added(EventId.random(), "c1", "carol@example.com", "Carol")));
            assertTrue(refused.getMessage().contains("erased"), refused.getMessage());
            List<RecordedEvent> erasures = ledger.readStream(PersonalData.ERASURE_STREAM, 0, 10);
            assertEquals(1, erasures.size());
            assertEquals("ops.erase", erasures.get(0).type());
            assertTrue(ledger.verify().ok());
        }
        try (Ledger reopened = Ledger.open(dir, CONFIG)) {
            assertEquals(PersonalData.ERASED, reopened.personalData().open("email", email));
            assertEquals(List.of("customer-c1"), List.copyOf(reopened.personalData().erasedSubjects()));
        }
    }

    @Test
    void shouldRefuseToOpenAJournalWhoseKeyStoreIsMissing() throws Exception {
        try (Ledger ledger = Ledger.open(dir, CONFIG)) {
            ledger.append("email-alice@example.com", ExpectedVersion.NO_STREAM, added(EventId.random(), "c1", "alice@example.com", "Alice"));
            Files.delete(ledger.personalData().keyStore());
        }
        LedgerException missing = assertThrows(LedgerException.class, () -> Ledger.open(dir, CONFIG));
        assertTrue(missing.getMessage().contains("personal-data.keys") && missing.getMessage().contains("missing"),
            missing.getMessage());
    }

    @Test
    void shouldOpenAndEraseNothingForAnUnreadableOpsEraseAppendedBeforeTheAuditStreamsWereChecked() throws Exception {
        String email;
        try (Ledger ledger = Ledger.open(dir, CONFIG)) {
            ledger.append("email-alice@example.com", ExpectedVersion.NO_STREAM, added(EventId.random(), "c1", "alice@example.com", "Alice"));
            email = payload(ledger.read(0, 1).get(0)).replaceAll(".*\"email\":\"([^\"]+)\".*", "$1");
            // As a token with append on * could write it over the API: a copy keeps what it copies, unchecked.
            ledger.appendRecorded(List.of(new RecordedEvent(ledger.head(), PersonalData.ERASURE_STREAM, 0, EventId.random(),
                "ops.erase", ContentType.JSON, 0, "p", "{\"subject\":\"customer-c1\"}".getBytes(StandardCharsets.UTF_8),
                Map.of()))).join();
        }
        try (Ledger reopened = Ledger.open(dir, CONFIG)) {
            assertEquals("alice@example.com", reopened.personalData().open("email", email), "not erased by it");
            assertTrue(reopened.personalData().erase("customer-c1", "test"), "a real erasure still works");
            assertEquals(PersonalData.ERASED, reopened.personalData().open("email", email));
        }
    }
}
