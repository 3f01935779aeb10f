package dev.indelible.ledger.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import dev.indelible.ledger.ContentType;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.EventId;
import dev.indelible.ledger.proto.Envelope;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvelopeWriterTest {

    @Test
    void shouldWriteWhatTheGeneratedEnvelopeParsesFieldForField() throws Exception {
        EventId id = EventId.parse("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
        byte[] payload = "{\"user_id\":1201911108}".getBytes(StandardCharsets.UTF_8);
        EventData event = new EventData(id, "selfie.submitted.v1", ContentType.JSON, payload,
            Map.of("trace", "abc", "émoji", "✓"));

        Envelope parsed = Envelope.parseFrom(placed(event, "selfies-user-1201911108", 300, 1L << 40,
            1_732_000_000_000_000L, "bot@host"));

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

    /** Encoded in two steps, an envelope is still the bytes Protobuf writes: journals stay as they were. */
    @Test
    void shouldWriteTheBytesTheGeneratedEnvelopeWrites() {
        EventId id = EventId.parse("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
        byte[] payload = new byte[300]; // a payload length of two varint bytes
        Arrays.fill(payload, (byte) 7);
        EventData event = new EventData(id, "selfie.submitted.v1", ContentType.PROTOBUF, payload, Map.of("k", "v"));

        byte[] expected = Envelope.newBuilder()
            .setEventId(ByteString.copyFrom(id.toBytes()))
            .setStream("email-zoë@example.com")
            .setStreamVersion(1L << 35)
            .setGlobalSeq(1) // not 0: Protobuf leaves out a field at its default, the journal writes it
            .setType("selfie.submitted.v1")
            .setRecordedAt(1_732_000_000_000_000L)
            .setProducerId("p")
            .setContentType(dev.indelible.ledger.proto.ContentType.PROTOBUF)
            .setPayload(ByteString.copyFrom(payload))
            .putMetadata("k", "v")
            .build().toByteArray();

        assertArrayEquals(expected, placed(event, "email-zoë@example.com", 1L << 35, 1, 1_732_000_000_000_000L, "p"));
    }

    @Test
    void shouldPlaceEachEventOfSeveralAddedAfterEachOther() throws Exception {
        EncodedEvents encoded = new EncodedEvents()
            .add("a", List.of(EventData.json("t1", "{}".getBytes(StandardCharsets.UTF_8)),
                EventData.json("t2", "{\"x\":1}".getBytes(StandardCharsets.UTF_8))), "p")
            .add("b", EventData.protobuf("t3", new byte[] {1}), "p");
        EnvelopeWriter writer = new EnvelopeWriter();

        for (int i = 0; i < encoded.count(); i++) {
            writer.position(0);
            int length = writer.writePlaced(encoded, i, i, 10 + i, 5);
            Envelope parsed = Envelope.parseFrom(Arrays.copyOf(writer.buffer(), length));
            assertEquals(List.of("a", "a", "b").get(i), parsed.getStream());
            assertEquals("t" + (i + 1), parsed.getType());
            assertEquals(10 + i, parsed.getGlobalSeq());
        }
    }

    private static byte[] placed(EventData event, String stream, long version, long seq, long recordedAt,
                                 String producer) {
        EncodedEvents encoded = new EncodedEvents().add(stream, event, producer);
        EnvelopeWriter writer = new EnvelopeWriter();
        int length = writer.writePlaced(encoded, 0, version, seq, recordedAt);
        return Arrays.copyOf(writer.buffer(), length);
    }
}
