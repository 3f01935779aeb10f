package dev.indelible.ledger.spi;

/** Receives the one record a {@link WriteTransaction} writes. */
public interface RecordOutput {
    /** Writes {@code length} bytes of {@code data} from {@code offset} as the record. */
    void write(byte[] data, int offset, int length);
}
