package dev.indelible.projections.reference;

import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.ContentType;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.EventId;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.InvalidEventException;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.projections.proto.SelfieSubmitted;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DomainEventsTest {

    private static final String SELFIE = "{\"user_id\": 1201911108, \"media_type\": \"photo\", \"file_id\": \"AgAC1\","
            + " \"submitted_at\": \"2026-11-25T01:02:03Z\"}";

    @TempDir
    Path data;

    @Test
    void shouldMapJsonWithTheSnakeCaseNamesAndPrintItBack() {
        EventData event = DomainEvents.fromJson(DomainEvents.SELFIE_SUBMITTED, SELFIE);
        assertEquals(ContentType.PROTOBUF, event.contentType());
        assertEquals("{\"user_id\":1201911108,\"media_type\":\"photo\",\"file_id\":\"AgAC1\","
                + "\"submitted_at\":\"2026-11-25T01:02:03Z\"}", DomainEvents.toJson(event.type(), event.payload()));
    }

    @Test
    void shouldWriteA64BitIntegerAsANumberWhenItIsExactInJsonAndAsAStringBeyond() {
        long exact = 1L << 53;
        assertTrue(DomainEvents.toJson(SelfieSubmitted.newBuilder().setUserId(exact).build())
                .startsWith("{\"user_id\":9007199254740992"), "2^53 is a number");
        assertTrue(DomainEvents.toJson(SelfieSubmitted.newBuilder().setUserId(exact + 1).build())
                .startsWith("{\"user_id\":\"9007199254740993\""), "past 2^53 a string, as a JavaScript number would round it");
        assertTrue(DomainEvents.toJson(SelfieSubmitted.newBuilder().setUserId(-exact).build())
                .startsWith("{\"user_id\":-9007199254740992"));
        assertTrue(DomainEvents.toJson(dev.indelible.ledger.proto.OperationRecorded.newBuilder().setStartedAt(1_764_000_000_000_000L)
                .build()).contains("\"started_at\":1764000000000000"), "ops events follow the same rule");
    }

    @Test
    void shouldNameTheMissingRequiredField() {
        InvalidEventException e = assertThrows(InvalidEventException.class, () -> DomainEvents.fromJson(
                DomainEvents.SELFIE_SUBMITTED, "{\"user_id\": 7, \"media_type\": \"photo\", \"submitted_at\": \"2026-11-25T01:02:03Z\"}"));
        assertEquals("file_id", e.field());
        InvalidEventException noUser = assertThrows(InvalidEventException.class, () -> DomainEvents.fromJson(
                DomainEvents.SELFIE_SUBMITTED, "{\"media_type\": \"photo\", \"file_id\": \"f\", \"submitted_at\": \"2026-11-25T01:02:03Z\"}"));
        assertEquals("user_id", noUser.field());
    }

    @Test
    void shouldRefuseAnUnknownJsonFieldNamingIt() {
        InvalidEventException e = assertThrows(InvalidEventException.class,
                () -> DomainEvents.fromJson(DomainEvents.VIDEO_REMOVED, "{\"video_id\": \"v1\", \"vid\": 2}"));
        assertEquals("data", e.field());
        assertTrue(e.reason().contains("vid"), e.reason());
    }

    @Test
    void shouldRefuseAnUnknownType() {
        InvalidEventException e = assertThrows(InvalidEventException.class, () -> DomainEvents.fromJson("selfie.sent", "{}"));
        assertEquals("type", e.field());
    }

    @Test
    void shouldRefuseUnnormalisedNames() {
        InvalidEventException email = assertThrows(InvalidEventException.class, () -> DomainEvents.fromJson(
                DomainEvents.ACCOUNT_REGISTERED, "{\"account_id\": \"a1\", \"email\": \"Alice@Example.com\"}"));
        assertEquals("email", email.field());
        InvalidEventException member = assertThrows(InvalidEventException.class, () -> DomainEvents.fromJson(
                DomainEvents.MEMBER_JOINED, "{\"username\": \"Max\"}"));
        assertEquals("username", member.field());
    }

    @Test
    void shouldMakeTheLedgerRefuseBadDomainPayloadsAndWriteNothing() {
        try (Ledger ledger = Ledger.open(data, DomainEvents.register(LedgerConfig.builder()).build())) {
            byte[] noFileId = SelfieSubmitted.newBuilder().setUserId(7).setMediaType("photo").build().toByteArray();
            InvalidEventException missing = assertThrows(InvalidEventException.class, () -> ledger.append("selfies-user-7",
                    ExpectedVersion.ANY, EventData.protobuf(DomainEvents.SELFIE_SUBMITTED, noFileId)));
            assertTrue(missing.field().endsWith("file_id"), missing.field());
            InvalidEventException garbage = assertThrows(InvalidEventException.class, () -> ledger.append("selfies-user-7",
                    ExpectedVersion.ANY, EventData.protobuf(DomainEvents.SELFIE_SUBMITTED, new byte[] {(byte) 0xff, 1, 2})));
            assertTrue(garbage.field().endsWith("payload"), garbage.field());
            InvalidEventException json = assertThrows(InvalidEventException.class, () -> ledger.append("selfies-user-7",
                    ExpectedVersion.ANY, EventData.json(DomainEvents.SELFIE_SUBMITTED, SELFIE.getBytes(StandardCharsets.UTF_8))));
            assertTrue(json.field().endsWith("content_type"), json.field());
            assertEquals(0, ledger.head());
            AppendResult ok = ledger.append("selfies-user-1201911108", ExpectedVersion.ANY,
                    DomainEvents.fromJson(DomainEvents.SELFIE_SUBMITTED, SELFIE));
            assertInstanceOf(AppendResult.Appended.class, ok);
        }
    }

    @Test
    void shouldDeriveTheSameEventIdFromTheSameNaturalKey() {
        var message = SelfieSubmitted.newBuilder().setUserId(7).build();
        EventId first = DomainEvents.event(DomainEvents.SELFIE_SUBMITTED, message, "7/f1").eventId();
        assertEquals(first, DomainEvents.event(DomainEvents.SELFIE_SUBMITTED, message, "7/f1").eventId());
        assertTrue(!first.equals(DomainEvents.event(DomainEvents.SELFIE_SUBMITTED, message, "7/f2").eventId()));
    }

    @Test
    void shouldNormaliseUsernamesOneWay() {
        assertEquals("max", Names.normalizeUsernameOrNull(" Max "));
        assertEquals("max", Names.normalizeUsernameOrNull("ＭＡＸ"));
        assertEquals(null, Names.normalizeUsernameOrNull("max power"));
        assertEquals("alice@example.com", Names.normalizeEmailOrNull(" Alice@Example.COM "));
        assertEquals(null, Names.normalizeEmailOrNull("alice@"));
        assertEquals(null, Names.normalizeEmailOrNull("a@b@c"));
    }
}
