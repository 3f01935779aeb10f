package dev.indelible.ledger.internal;

import static dev.indelible.ledger.internal.RecordLayout.EVENT_PREFIX_LENGTH;
import static dev.indelible.ledger.internal.RecordLayout.HEADER_LENGTH;

import dev.indelible.ledger.Transaction;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Encodes the events of one append, or of one transaction's parts, into one journal record
 * ({@link RecordLayout}) in a reusable buffer, checksums included: the events come encoded
 * ({@link EncodedEvents}), and this adds what depends on their place in the journal.
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

    /** Encodes a record of one stream's {@code events} at the start of {@link #buffer()} and returns its length. */
    int encode(EncodedEvents events, long firstSeq, long firstVersion, long prevStreamAddress, int prevCrc,
               long recordedAtMicros) {
        writer.position(HEADER_LENGTH);
        byte[] b = writer.buffer();
        RecordLayout.putInt(b, RecordLayout.MAGIC_OFFSET, RecordLayout.MAGIC);
        RecordLayout.putInt(b, RecordLayout.COUNT_OFFSET, events.count());
        RecordLayout.putLong(b, RecordLayout.FIRST_SEQ_OFFSET, firstSeq);
        RecordLayout.putLong(b, RecordLayout.PREV_STREAM_ADDRESS_OFFSET, prevStreamAddress);
        RecordLayout.putInt(b, RecordLayout.PREV_CRC_OFFSET, prevCrc);
        lastCrc = encodeEvents(events, 0, events.count(), 0, firstSeq, firstVersion, HEADER_LENGTH, recordedAtMicros);
        return writer.position();
    }

    /**
     * Encodes a record of a transaction's parts, whose events are {@code events} in order, part
     * {@code p} at {@code firstVersions[p]} and linked to {@code prevStreamAddresses[p]}, and
     * returns its length.
     */
    int encode(List<Transaction.Part> parts, EncodedEvents events, long firstSeq, long[] firstVersions,
               long[] prevStreamAddresses, int prevCrc, long recordedAtMicros) {
        int headerLength = RecordLayout.partsHeaderLength(parts.size());
        writer.position(headerLength);
        byte[] b = writer.buffer();
        int count = 0;
        for (int p = 0; p < parts.size(); p++) {
            int entry = RecordLayout.PART_TABLE_OFFSET + p * RecordLayout.PART_ENTRY_LENGTH;
            RecordLayout.putInt(b, entry, parts.get(p).events().size());
            RecordLayout.putLong(b, entry + 4, prevStreamAddresses[p]);
            count += parts.get(p).events().size();
        }
        RecordLayout.putInt(b, RecordLayout.MAGIC_OFFSET, RecordLayout.PARTS_MAGIC);
        RecordLayout.putInt(b, RecordLayout.COUNT_OFFSET, count);
        RecordLayout.putLong(b, RecordLayout.FIRST_SEQ_OFFSET, firstSeq);
        RecordLayout.putInt(b, RecordLayout.PART_COUNT_OFFSET, parts.size());
        RecordLayout.putInt(b, RecordLayout.PARTS_PREV_CRC_OFFSET, prevCrc);
        int chained = 0;
        int index = 0;
        for (int p = 0; p < parts.size(); p++) {
            int size = parts.get(p).events().size();
            chained = encodeEvents(events, index, size, chained, firstSeq + index, firstVersions[p], headerLength,
                recordedAtMicros);
            index += size;
        }
        lastCrc = chained;
        return writer.position();
    }

    /**
     * Encodes {@code count} events from record index {@code firstIndex} on, chaining from
     * {@code chained}; returns the last CRC.
     */
    private int encodeEvents(EncodedEvents events, int firstIndex, int count, int chained, long firstSeq,
                             long firstVersion, int headerLength, long recordedAtMicros) {
        for (int i = 0; i < count; i++) {
            int prefix = writer.position();
            writer.position(prefix + EVENT_PREFIX_LENGTH);
            int length = writer.writePlaced(events, firstIndex + i, firstVersion + i, firstSeq + i, recordedAtMicros);
            byte[] b = writer.buffer();
            RecordLayout.putInt(b, prefix, length);
            chained = checksum(crc, crcScratch, b, firstIndex + i, chained, headerLength, prefix, length);
            RecordLayout.putInt(b, prefix + 4, chained);
        }
        return chained;
    }

    /**
     * Event {@code index}'s chained CRC: event 0's covers the record's header (its first
     * {@code headerLength} bytes), a later one's the CRC before it; then its length and envelope.
     * {@link RecordView} checks a record read back with the same code.
     */
    static int checksum(CRC32C crc, byte[] scratch, byte[] b, int index, int previous, int headerLength, int prefix,
                        int length) {
        crc.reset();
        if (index == 0 && prefix == headerLength) {
            crc.update(b, 0, headerLength + 4); // the header and the length after it, in one pass
        } else {
            if (index == 0) {
                crc.update(b, 0, headerLength);
            } else {
                RecordLayout.putInt(scratch, 0, previous);
                crc.update(scratch, 0, 4);
            }
            crc.update(b, prefix, 4);
        }
        crc.update(b, prefix + EVENT_PREFIX_LENGTH, length);
        return (int) crc.getValue();
    }
}
