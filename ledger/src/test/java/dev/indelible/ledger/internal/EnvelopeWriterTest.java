package dev.indelible.ledger.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.indelible.ledger.ContentType;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.EventId;
import dev.indelible.ledger.proto.Envelope;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvelopeWriterTest {

    @Test
    void shouldWriteWhatTheGeneratedEnvelopeParsesFieldForField() throws Exception {
        EventId id = EventId.parse("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
        byte[] payload = "{\"user_id\":1201911108}".getBytes(StandardCharsets.UTF_8);
        EventData event = new EventData(id, "selfie.submitted.v1", ContentType.JSON, payload,
            Map.of("trace", "abc", "émoji", "✓"));
        EnvelopeWriter writer = new EnvelopeWriter();

        int length = writer.writeEnvelope(event, "selfies-user-1201911108", 300, 1L << 40, 1_732_000_000_000_000L,
            "bot@host");
        Envelope parsed = Envelope.parseFrom(Arrays.copyOf(writer.buffer(), length));

        assertArrayEquals(id.toBytes(), parsed.getEventId().toByteArray());
        assertEquals("selfies-user-1201911108", parsed.getStream());
        assertEquals(300, parsed.getStreamVersion());
        assertEquals(1L << 40, parsed.getGlobalSeq());
        assertEquals("selfie.submitted.v1", parsed.getType());
        assertEquals(1_732_000_000_000_000L, parsed.getRecordedAt());
        assertEquals("bot@host", parsed.getProducerId());
        assertEquals(dev.indelible.ledger.proto.ContentType.JSON, parsed.getContentType());
        assertArrayEquals(payload, parsed.getPayload().toByteArray());
        assertEquals(Map.of("trace", "abc", "émoji", "✓"), parsed.getMetadataMap());
    }

    @Test
    void shouldEncodeNonAsciiStreamNamesAsUtf8() throws Exception {
        EventData event = EventData.protobuf("t", new byte[] {1, 2, 3});
        EnvelopeWriter writer = new EnvelopeWriter();

        int length = writer.writeEnvelope(event, "email-zoë@example.com", 0, 0, 0, "p");

        assertEquals("email-zoë@example.com", Envelope.parseFrom(Arrays.copyOf(writer.buffer(), length)).getStream());
    }
}
