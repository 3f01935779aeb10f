package dev.indelible.ledger.spi;

import java.util.Arrays;

/**
 * A reusable holder for one record read from a journal: its bytes, its address and where it is
 * on disk. Reused from record to record so reading allocates nothing once it is large enough.
 *
 * <p>Not thread-safe.
 */
public final class RecordBuffer {
    private byte[] data = new byte[4096];
    private int length;
    private long address = -1;
    private String file = "";
    private long fileOffset = -1;

    /** The record's bytes are {@code data()[0, length())}. */
    public byte[] data() {
        return data;
    }

    public int length() {
        return length;
    }

    /** The journal's address of this record: pass to {@link JournalCursor#seek(long)}. */
    public long address() {
        return address;
    }

    /** The file holding the record, for reports. */
    public String file() {
        return file;
    }

    /** The byte offset of the record in {@link #file()}, for reports. */
    public long fileOffset() {
        return fileOffset;
    }

    /** "file@offset", for reports. */
    public String location() {
        return file + "@" + fileOffset;
    }

    /** Makes room for a record of {@code size} bytes and returns the array to fill. */
    public byte[] prepare(int size) {
        if (data.length < size) {
            data = Arrays.copyOf(data, Math.max(size, data.length * 2));
        }
        length = size;
        return data;
    }

    /** Sets where the record just filled in lives. */
    public void locate(long recordAddress, String recordFile, long recordFileOffset) {
        this.address = recordAddress;
        this.file = recordFile;
        this.fileOffset = recordFileOffset;
    }
}
