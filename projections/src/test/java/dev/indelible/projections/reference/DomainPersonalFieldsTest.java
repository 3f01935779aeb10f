package dev.indelible.projections.reference;

import com.google.protobuf.CodedOutputStream;
import dev.indelible.ledger.ContentType;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.EventId;
import dev.indelible.ledger.InvalidEventException;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.PersonalFields;
import dev.indelible.projections.proto.AccountRegistered;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class DomainPersonalFieldsTest {
    private final PersonalFields fields = DomainEvents.register(LedgerConfig.builder()).build()
        .personalFields(DomainEvents.ACCOUNT_REGISTERED);

    @Test
    void shouldReplaceOnlyThePersonalStringsOnTheWire() throws Exception {
        EventData event = DomainEvents.event(DomainEvents.ACCOUNT_REGISTERED, AccountRegistered.newBuilder()
            .setAccountId("a1").setEmail("alice@example.com").setDisplayName("Alice").build());

        byte[] sealed = fields.seal(event, (field, value) -> "enc:" + field + ":" + value.length());

        assertEquals("account-a1", fields.subject(event));
        assertEquals(AccountRegistered.newBuilder().setAccountId("a1").setEmail("enc:email:17")
            .setDisplayName("enc:display_name:5").build(), AccountRegistered.parseFrom(sealed));
        assertArrayEquals(sealed, fields.seal(event, (field, value) -> "enc:" + field + ":" + value.length()));
    }

    /** Opening writes clear values back the same way: those beyond ASCII (and beyond the BMP) as protobuf writes them. */
    @Test
    void shouldWriteValuesBeyondAsciiAsProtobufDoes() throws Exception {
        EventData event = DomainEvents.event(DomainEvents.ACCOUNT_REGISTERED, AccountRegistered.newBuilder()
            .setAccountId("a1").setEmail("enc:v1:x").setDisplayName("enc:v1:y").build());

        byte[] opened = fields.seal(event, (field, value) -> field.equals("email") ? "zoë@exämple.com" : "Zoë \uD83D\uDE00");

        assertArrayEquals(AccountRegistered.newBuilder().setAccountId("a1").setEmail("zoë@exämple.com")
            .setDisplayName("Zoë \uD83D\uDE00").build().toByteArray(), opened);
    }

    @Test
    void shouldKeepEmptyPersonalFieldsAndTheOrderTheWriterChoseAndSealARepeatedOne() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        out.writeString(3, "");
        out.writeString(2, "bob@example.com");
        out.writeString(1, "b2");
        out.writeString(2, "bob@example.org");
        out.flush();
        EventData event = new EventData(EventId.random(), DomainEvents.ACCOUNT_REGISTERED,
            ContentType.PROTOBUF, bytes.toByteArray(), Map.of());

        byte[] sealed = fields.seal(event, (field, value) -> "x");

        assertEquals("account-b2", fields.subject(event));
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        CodedOutputStream want = CodedOutputStream.newInstance(expected);
        want.writeString(3, "");
        want.writeString(2, "x");
        want.writeString(1, "b2");
        want.writeString(2, "x");
        want.flush();
        assertArrayEquals(expected.toByteArray(), sealed);
    }

    @Test
    void shouldRefuseAnEventWithoutASubjectNamingTheField() {
        EventData event = DomainEvents.event(DomainEvents.ACCOUNT_REGISTERED,
            AccountRegistered.newBuilder().setEmail("carol@example.com").build());

        InvalidEventException refused = assertThrows(InvalidEventException.class, () -> fields.subject(event));

        assertEquals("account_id", refused.field());
    }

    @Test
    void shouldRefuseAPayloadThatIsNotTheMessage() throws IOException {
        EventData event = new EventData(EventId.random(), DomainEvents.ACCOUNT_REGISTERED,
            ContentType.PROTOBUF, new byte[] {0x12, 0x7f, 'a'}, Map.of());

        InvalidEventException refused = assertThrows(InvalidEventException.class, () -> fields.seal(event, (f, v) -> v));

        assertEquals("payload", refused.field());
    }
}
