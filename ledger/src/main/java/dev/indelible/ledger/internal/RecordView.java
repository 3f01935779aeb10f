package dev.indelible.ledger.internal;

import static dev.indelible.ledger.internal.RecordLayout.EVENT_PREFIX_LENGTH;
import static dev.indelible.ledger.internal.RecordLayout.HEADER_LENGTH;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.indelible.ledger.RecordedEvent;
import dev.indelible.ledger.proto.Envelope;
import dev.indelible.ledger.spi.RecordBuffer;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Reads one journal record ({@link RecordLayout}) in place: checks its structure and checksums
 * and decodes its events. Reused from record to record.
 *
 * <p>Not thread-safe.
 */
final class RecordView {
    private final CRC32C crc = new CRC32C();
    private final EnvelopeReader reader = new EnvelopeReader();
    private final byte[] scratch = new byte[4];
    private int[] offsets = new int[16];
    private byte[] data;
    private int count;
    private long firstSeq;
    private long prevStreamAddress;
    private int prevCrc;
    private int lastCrc;
    private int firstBad;

    /**
     * Points this view at {@code record} and checks its layout and every checksum.
     *
     * @return null when the record is intact, otherwise what is wrong (the index of the first bad
     *         event is then {@link #firstBadEvent()})
     */
    String load(RecordBuffer record) {
        data = record.data();
        int length = record.length();
        firstBad = 0;
        if (length < HEADER_LENGTH || RecordLayout.getInt(data, RecordLayout.MAGIC_OFFSET) != RecordLayout.MAGIC) {
            return "not a ledger record (bad magic or " + length + " bytes)";
        }
        count = RecordLayout.getInt(data, RecordLayout.COUNT_OFFSET);
        firstSeq = RecordLayout.getLong(data, RecordLayout.FIRST_SEQ_OFFSET);
        prevStreamAddress = RecordLayout.getLong(data, RecordLayout.PREV_STREAM_ADDRESS_OFFSET);
        prevCrc = RecordLayout.getInt(data, RecordLayout.PREV_CRC_OFFSET);
        if (count <= 0 || count > (length - HEADER_LENGTH) / EVENT_PREFIX_LENGTH) {
            return "impossible event count " + count;
        }
        if (offsets.length < count) {
            offsets = new int[Math.max(count, offsets.length * 2)];
        }
        int position = HEADER_LENGTH;
        int chained = 0;
        for (int i = 0; i < count; i++) {
            if (position + EVENT_PREFIX_LENGTH > length) {
                firstBad = i;
                return "record ends inside event " + i;
            }
            int eventLength = RecordLayout.getInt(data, position);
            if (eventLength < 0 || eventLength > length - position - EVENT_PREFIX_LENGTH) {
                firstBad = i;
                return "event " + i + " claims " + eventLength + " bytes";
            }
            int expected = RecordEncoder.checksum(crc, scratch, data, i, chained, position, eventLength);
            int stored = RecordLayout.getInt(data, position + 4);
            if (expected != stored) {
                firstBad = i;
                return "CRC32C mismatch in event " + i + ": stored " + Integer.toHexString(stored)
                    + ", computed " + Integer.toHexString(expected);
            }
            chained = stored;
            offsets[i] = position;
            position += EVENT_PREFIX_LENGTH + eventLength;
        }
        if (position != length) {
            firstBad = count - 1;
            return (length - position) + " stray bytes after the last event";
        }
        lastCrc = chained;
        return null;
    }

    /** After a failed {@link #load}: the index of the first event that failed. */
    int firstBadEvent() {
        return firstBad;
    }

    int count() {
        return count;
    }

    long firstSeq() {
        return firstSeq;
    }

    long prevStreamAddress() {
        return prevStreamAddress;
    }

    int prevCrc() {
        return prevCrc;
    }

    int lastCrc() {
        return lastCrc;
    }

    /** Reads just the first global_seq of a record without checking it: for skipping known records. */
    static long peekFirstSeq(RecordBuffer record) {
        if (record.length() < HEADER_LENGTH) {
            return -1;
        }
        return RecordLayout.getLong(record.data(), RecordLayout.FIRST_SEQ_OFFSET);
    }

    /** Reads just the event count of a record without checking it. */
    static int peekCount(RecordBuffer record) {
        if (record.length() < HEADER_LENGTH) {
            return -1;
        }
        return RecordLayout.getInt(record.data(), RecordLayout.COUNT_OFFSET);
    }

    Envelope envelope(int i) {
        int at = offsets[i];
        try {
            return Envelope.parser().parseFrom(data, at + EVENT_PREFIX_LENGTH, RecordLayout.getInt(data, at));
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("envelope " + i + " passed its CRC but does not parse", e);
        }
    }

    RecordedEvent event(int i) {
        int at = offsets[i];
        return reader.decode(data, at + EVENT_PREFIX_LENGTH, RecordLayout.getInt(data, at));
    }

    /** The index of the event with this id in the loaded record, or -1. */
    int indexOf(long mostSignificant, long leastSignificant) {
        for (int j = 0; j < count; j++) {
            java.nio.ByteBuffer id = envelope(j).getEventId().asReadOnlyByteBuffer();
            if (id.remaining() == 16 && id.getLong(id.position()) == mostSignificant
                && id.getLong(id.position() + 8) == leastSignificant) {
                return j;
            }
        }
        return -1;
    }

    /** The envelope bytes of event {@code i}, for comparing a retry with the original. */
    byte[] envelopeBytes(int i) {
        int at = offsets[i];
        return Arrays.copyOfRange(data, at + EVENT_PREFIX_LENGTH, at + EVENT_PREFIX_LENGTH + RecordLayout.getInt(data, at));
    }
}
