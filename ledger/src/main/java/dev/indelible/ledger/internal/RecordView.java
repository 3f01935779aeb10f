package dev.indelible.ledger.internal;

import static dev.indelible.ledger.internal.RecordLayout.EVENT_PREFIX_LENGTH;
import static dev.indelible.ledger.internal.RecordLayout.HEADER_LENGTH;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.indelible.ledger.RecordedEvent;
import dev.indelible.ledger.proto.Envelope;
import dev.indelible.ledger.spi.RecordBuffer;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Reads one journal record ({@link RecordLayout}) in place, of one stream or of a transaction's
 * parts: checks its structure and checksums and decodes its events. Reused from record to record.
 *
 * <p>Not thread-safe.
 */
final class RecordView {
    private final CRC32C crc = new CRC32C();
    private final EnvelopeReader reader = new EnvelopeReader();
    private final byte[] scratch = new byte[4];
    private int[] offsets = new int[16];
    /** Per part: the index of its first event, and (one more entry) the record's event count. */
    private int[] partStarts = new int[2];
    private long[] partPrevAddresses = new long[1];
    private int parts;
    private byte[] data;
    private int count;
    private long firstSeq;
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
        int magic = length < HEADER_LENGTH ? 0 : RecordLayout.getInt(data, RecordLayout.MAGIC_OFFSET);
        if (magic != RecordLayout.MAGIC && magic != RecordLayout.PARTS_MAGIC) {
            return "not a ledger record (bad magic or " + length + " bytes)";
        }
        count = RecordLayout.getInt(data, RecordLayout.COUNT_OFFSET);
        firstSeq = RecordLayout.getLong(data, RecordLayout.FIRST_SEQ_OFFSET);
        int headerLength;
        if (magic == RecordLayout.MAGIC) {
            headerLength = HEADER_LENGTH;
            prevCrc = RecordLayout.getInt(data, RecordLayout.PREV_CRC_OFFSET);
            parts = 1;
            partPrevAddresses[0] = RecordLayout.getLong(data, RecordLayout.PREV_STREAM_ADDRESS_OFFSET);
            partStarts[0] = 0;
        } else {
            prevCrc = RecordLayout.getInt(data, RecordLayout.PARTS_PREV_CRC_OFFSET);
            String problem = loadPartTable(length);
            if (problem != null) {
                return problem;
            }
            headerLength = RecordLayout.partsHeaderLength(parts);
        }
        if (count <= 0 || count > (length - headerLength) / EVENT_PREFIX_LENGTH) {
            return "impossible event count " + count;
        }
        partStarts[parts] = count;
        if (offsets.length < count) {
            offsets = new int[Math.max(count, offsets.length * 2)];
        }
        return loadEvents(length, headerLength);
    }

    private String loadPartTable(int length) {
        parts = RecordLayout.getInt(data, RecordLayout.PART_COUNT_OFFSET);
        if (parts < 2 || parts > (length - RecordLayout.PART_TABLE_OFFSET) / RecordLayout.PART_ENTRY_LENGTH) {
            return "impossible part count " + parts;
        }
        if (partPrevAddresses.length < parts) {
            partPrevAddresses = new long[parts];
            partStarts = new int[parts + 1];
        }
        int start = 0;
        for (int p = 0; p < parts; p++) {
            int entry = RecordLayout.PART_TABLE_OFFSET + p * RecordLayout.PART_ENTRY_LENGTH;
            int events = RecordLayout.getInt(data, entry);
            if (events <= 0 || events > count - start) {
                return "part " + p + " claims " + events + " of the record's " + count + " events";
            }
            partStarts[p] = start;
            partPrevAddresses[p] = RecordLayout.getLong(data, entry + 4);
            start += events;
        }
        return start == count ? null : "the parts hold " + start + " of the record's " + count + " events";
    }

    private String loadEvents(int length, int headerLength) {
        int position = headerLength;
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
            int expected = RecordEncoder.checksum(crc, scratch, data, i, chained, headerLength, position, eventLength);
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

    /** How many parts (streams) the record holds: 1 unless it is a transaction's. */
    int parts() {
        return parts;
    }

    /** The index of part {@code p}'s first event; {@code partStart(parts())} is {@link #count()}. */
    int partStart(int p) {
        return partStarts[p];
    }

    /** The address of the previous record of part {@code p}'s stream, or -1 for the stream's first. */
    long prevStreamAddress(int p) {
        return partPrevAddresses[p];
    }

    /** The part of the loaded record that holds {@code stream}'s events, or -1. */
    int partOf(String stream) {
        for (int p = 0; p < parts; p++) {
            if (envelope(partStarts[p]).getStream().equals(stream)) {
                return p;
            }
        }
        return -1;
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
            ByteBuffer id = envelope(j).getEventId().asReadOnlyByteBuffer();
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
