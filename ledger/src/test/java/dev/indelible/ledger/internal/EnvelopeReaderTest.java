package dev.indelible.ledger.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import dev.indelible.ledger.ContentType;
import dev.indelible.ledger.EventId;
import dev.indelible.ledger.RecordedEvent;
import dev.indelible.ledger.proto.Envelope;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link EnvelopeReader} decodes what the generated {@code Envelope} parser decodes, field for field. */
class EnvelopeReaderTest {
    private static final List<String> NAMES = List.of("selfies-user-1", "selfie.submitted.v1", "émoji ✓", "日本",
        "bot@host", "a", "");

    @Test
    void shouldDecodeWhatTheGeneratedParserDecodes() throws Exception {
        long seed = Long.getLong("indelible.seed", System.nanoTime());
        Random random = new Random(seed);
        EnvelopeReader reader = new EnvelopeReader();
        for (int n = 0; n < 20_000; n++) {
            Envelope.Builder e = Envelope.newBuilder()
                .setEventId(ByteString.copyFrom(ByteBuffer.allocate(16).putLong(random.nextLong()).putLong(random.nextLong()).array()))
                .setStream(name(random)).setStreamVersion(Math.abs(random.nextLong()) >>> random.nextInt(63))
                .setGlobalSeq(random.nextLong() >>> random.nextInt(64)).setType(name(random))
                .setRecordedAt(random.nextLong()).setProducerId(name(random))
                .setContentType(random.nextBoolean() ? dev.indelible.ledger.proto.ContentType.JSON
                    : dev.indelible.ledger.proto.ContentType.PROTOBUF);
            byte[] payload = new byte[random.nextInt(300)];
            random.nextBytes(payload);
            e.setPayload(ByteString.copyFrom(payload));
            for (int m = random.nextInt(3); m > 0; m--) {
                e.putMetadata(name(random) + m, name(random));
            }
            if (random.nextInt(4) == 0) {
                e.setUnknownFields(UnknownFieldSet.newBuilder().addField(15, UnknownFieldSet.Field.newBuilder()
                    .addVarint(random.nextLong()).addLengthDelimited(ByteString.copyFromUtf8("later")).addFixed32(7)
                    .addFixed64(9).build()).build());
            }
            Envelope envelope = e.build();
            byte[] bytes = envelope.toByteArray();
            byte[] framed = new byte[bytes.length + 10];
            System.arraycopy(bytes, 0, framed, 5, bytes.length);
            RecordedEvent decoded = reader.decode(framed, 5, bytes.length);
            String where = "seed " + seed + ", envelope " + n;
            Envelope parsed = Envelope.parseFrom(bytes);
            assertEquals(EventId.fromBytes(parsed.getEventId().toByteArray()), decoded.eventId(), where);
            assertEquals(parsed.getStream(), decoded.stream(), where);
            assertEquals(parsed.getStreamVersion(), decoded.streamVersion(), where);
            assertEquals(parsed.getGlobalSeq(), decoded.globalSeq(), where);
            assertEquals(parsed.getType(), decoded.type(), where);
            assertEquals(parsed.getRecordedAt(), decoded.recordedAtMicros(), where);
            assertEquals(parsed.getProducerId(), decoded.producerId(), where);
            assertEquals(parsed.getContentType() == dev.indelible.ledger.proto.ContentType.JSON ? ContentType.JSON
                : ContentType.PROTOBUF, decoded.contentType(), where);
            assertArrayEquals(parsed.getPayload().toByteArray(), decoded.payload(), where);
            assertEquals(parsed.getMetadataMap(), decoded.metadata(), where);
        }
    }

    @Test
    void shouldRefuseAnEnvelopeWithoutA16ByteEventIdOrCutShort() {
        EnvelopeReader reader = new EnvelopeReader();
        byte[] noId = Envelope.newBuilder().setStream("s").build().toByteArray();
        assertThrows(IllegalStateException.class, () -> reader.decode(noId, 0, noId.length));
        byte[] whole = Envelope.newBuilder().setEventId(ByteString.copyFrom(new byte[16])).setPayload(
            ByteString.copyFrom(new byte[40])).build().toByteArray();
        assertThrows(IllegalStateException.class, () -> reader.decode(whole, 0, whole.length - 3));
    }

    private static String name(Random random) {
        return NAMES.get(random.nextInt(NAMES.size())) + (random.nextBoolean() ? "" : Integer.toString(random.nextInt(1000)));
    }
}
