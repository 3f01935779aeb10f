package dev.indelible.ledger.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The one place the binary layout of a journal record is written down. One record holds the
 * events of one append call, so a multi-event append is atomic with the record; a transaction
 * over several streams is one record of several parts.
 *
 * <pre>
 *  0               4               8                              16
 *  +---------------+---------------+------------------------------+
 *  | magic "IDL1"  | event count N | first global_seq             |
 *  +---------------+---------------+------------------------------+
 *  16                              24              28
 *  +-------------------------------+---------------+
 *  | previous record of the stream | previous CRC  |   header: 28 bytes
 *  +-------------------------------+---------------+
 *  then N times:
 *  +---------------+---------------+------------------------------+
 *  | envelope len  | CRC32C        | envelope (Protobuf)          |
 *  +---------------+---------------+------------------------------+
 * </pre>
 *
 * <p>Checksums chain: event 0's CRC32C covers the header, its length and its envelope; event
 * {@code i}'s covers event {@code i-1}'s CRC, its length and its envelope. The header's
 * "previous CRC" is the last CRC of the record before, so a record is checkable alone, and a
 * record removed, replayed or moved breaks the chain. "Previous record of the stream" is the
 * journal address of the stream's record before this one ({@code -1} for its first), so a
 * stream reads backwards without a scan. Integers are little-endian.
 *
 * <p>A record of a transaction over P streams (P &gt;= 2) has its own magic and a part table in
 * its header, one "previous record of the stream" per part; its events follow as above, the
 * parts' events one part after the other, and event 0's CRC covers the whole header:
 *
 * <pre>
 *  0               4               8                              16              20              24
 *  +---------------+---------------+------------------------------+---------------+---------------+
 *  | magic "IDL2"  | event count N | first global_seq             | part count P  | previous CRC  |
 *  +---------------+---------------+------------------------------+---------------+---------------+
 *  then P times (12 bytes each; header: 24 + 12 P bytes):
 *  +---------------+------------------------------+
 *  | events of part| previous record of its stream|
 *  +---------------+------------------------------+
 * </pre>
 */
final class RecordLayout {
    static final int MAGIC = 0x314c4449; // "IDL1" read little-endian
    static final int MAGIC_OFFSET = 0;
    static final int COUNT_OFFSET = 4;
    static final int FIRST_SEQ_OFFSET = 8;
    static final int PREV_STREAM_ADDRESS_OFFSET = 16;
    static final int PREV_CRC_OFFSET = 24;
    static final int HEADER_LENGTH = 28;
    /** Per event: length then CRC. */
    static final int EVENT_PREFIX_LENGTH = 8;
    static final long NO_ADDRESS = -1;

    static final int PARTS_MAGIC = 0x324c4449; // "IDL2" read little-endian
    static final int PART_COUNT_OFFSET = 16;
    static final int PARTS_PREV_CRC_OFFSET = 20;
    static final int PART_TABLE_OFFSET = 24;
    /** Per part: its event count, then the previous record of its stream. */
    static final int PART_ENTRY_LENGTH = 12;

    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private RecordLayout() {
    }

    /** The header length of a record of {@code parts} parts. */
    static int partsHeaderLength(int parts) {
        return PART_TABLE_OFFSET + PART_ENTRY_LENGTH * parts;
    }

    static int getInt(byte[] b, int offset) {
        return (int) INT.get(b, offset);
    }

    static long getLong(byte[] b, int offset) {
        return (long) LONG.get(b, offset);
    }

    static void putInt(byte[] b, int offset, int value) {
        INT.set(b, offset, value);
    }

    static void putLong(byte[] b, int offset, long value) {
        LONG.set(b, offset, value);
    }
}
