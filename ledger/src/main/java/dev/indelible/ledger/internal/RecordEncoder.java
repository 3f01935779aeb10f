package dev.indelible.ledger.internal;

import static dev.indelible.ledger.internal.RecordLayout.EVENT_PREFIX_LENGTH;
import static dev.indelible.ledger.internal.RecordLayout.HEADER_LENGTH;

import dev.indelible.ledger.EventData;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Encodes the events of one append into one journal record ({@link RecordLayout}) in a reusable
 * buffer, checksums included.
 *
 * <p>Not thread-safe: used under the write lock.
 */
final class RecordEncoder {
    private final EnvelopeWriter writer = new EnvelopeWriter();
    private final CRC32C crc = new CRC32C();
    private final byte[] crcScratch = new byte[4];
    private int lastCrc;

    byte[] buffer() {
        return writer.buffer();
    }

    /** The CRC of the last event encoded: the next record's "previous CRC". */
    int lastCrc() {
        return lastCrc;
    }

    /** Encodes a record at the start of {@link #buffer()} and returns its length. */
    int encode(String stream, List<EventData> events, long firstSeq, long firstVersion, long prevStreamAddress,
               int prevCrc, long recordedAtMicros, String producerId) {
        writer.position(HEADER_LENGTH);
        byte[] b = writer.buffer();
        RecordLayout.putInt(b, RecordLayout.MAGIC_OFFSET, RecordLayout.MAGIC);
        RecordLayout.putInt(b, RecordLayout.COUNT_OFFSET, events.size());
        RecordLayout.putLong(b, RecordLayout.FIRST_SEQ_OFFSET, firstSeq);
        RecordLayout.putLong(b, RecordLayout.PREV_STREAM_ADDRESS_OFFSET, prevStreamAddress);
        RecordLayout.putInt(b, RecordLayout.PREV_CRC_OFFSET, prevCrc);
        int chained = 0;
        for (int i = 0; i < events.size(); i++) {
            int prefix = writer.position();
            writer.position(prefix + EVENT_PREFIX_LENGTH);
            int length = writer.writeEnvelope(events.get(i), stream, firstVersion + i, firstSeq + i,
                recordedAtMicros, producerId);
            b = writer.buffer();
            RecordLayout.putInt(b, prefix, length);
            chained = i == 0 ? checksumFirst(b, prefix, length) : checksumNext(b, chained, prefix, length);
            RecordLayout.putInt(b, prefix + 4, chained);
        }
        lastCrc = chained;
        return writer.position();
    }

    private int checksumFirst(byte[] b, int prefix, int length) {
        crc.reset();
        crc.update(b, 0, HEADER_LENGTH);
        crc.update(b, prefix, 4);
        crc.update(b, prefix + EVENT_PREFIX_LENGTH, length);
        return (int) crc.getValue();
    }

    private int checksumNext(byte[] b, int previous, int prefix, int length) {
        RecordLayout.putInt(crcScratch, 0, previous);
        crc.reset();
        crc.update(crcScratch, 0, 4);
        crc.update(b, prefix, 4);
        crc.update(b, prefix + EVENT_PREFIX_LENGTH, length);
        return (int) crc.getValue();
    }

    /** The same checksums, computed over a record read back: {@link RecordView} uses this. */
    static int checksum(CRC32C crc, byte[] scratch, byte[] b, int index, int previous, int prefix, int length) {
        crc.reset();
        if (index == 0) {
            crc.update(b, 0, HEADER_LENGTH);
        } else {
            RecordLayout.putInt(scratch, 0, previous);
            crc.update(scratch, 0, 4);
        }
        crc.update(b, prefix, 4);
        crc.update(b, prefix + EVENT_PREFIX_LENGTH, length);
        return (int) crc.getValue();
    }
}
