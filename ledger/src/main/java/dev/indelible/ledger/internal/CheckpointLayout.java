package dev.indelible.ledger.internal;

/**
 * The one place the checkpoint file's layout is written down ({@link Checkpoint} writes and loads
 * it; each index writes its own part). Integers are big-endian ({@link java.io.DataOutput}).
 *
 * <pre>
 *  +----------------------------------+
 *  | magic "IDLCKPT2"           long  |
 *  +----------------------------------+  LedgerState
 *  | next global_seq            long  |
 *  | last record's last CRC     int   |
 *  | last record's address      long  |  -1 for an empty journal
 *  +----------------------------------+  StreamIndex
 *  | streams S                  int   |
 *  | S times: name (modified UTF-8 with a 2-byte length), version long, last record's address long
 *  +----------------------------------+  EventIdIndex, EventIdTableFormat
 *  | capacity C (a power of 2)  int   |  slots; at most 3/4 full
 *  | ids N                      int   |
 *  | per chunk of 32,768 slots: a bitmap of its filled slots (512 longs), then
 *  |   each filled slot's fingerprint long and address + 1 long, in slot order
 *  +----------------------------------+  SeqIndex
 *  | entries E                  int   |
 *  | next sample                long  |
 *  | E times: global_seq long, address long
 *  +----------------------------------+
 *  | CRC32C of all the above    long  |
 *  +----------------------------------+
 * </pre>
 *
 * <p>The first format ({@link #MAGIC_DENSE_IDS}) wrote every slot of the id table, filled or not,
 * with no bitmap; it is still read.
 */
final class CheckpointLayout {
    static final long MAGIC = 0x49444c434b505432L; // "IDLCKPT2"
    static final long MAGIC_DENSE_IDS = 0x49444c434b505431L; // "IDLCKPT1"
    /** The CRC32C at the end. */
    static final int TRAILER_LENGTH = 8;

    private CheckpointLayout() {
    }
}
