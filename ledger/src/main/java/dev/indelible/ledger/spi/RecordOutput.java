package dev.indelible.ledger.spi;

/** Receives the one record a {@link WriteTransaction} writes. */
public interface RecordOutput {
    /** Writes {@code length} bytes of {@code data} from {@code offset} as the record. */
    void write(byte[] data, int offset, int length);

    /**
     * The address the record will have if written, when the journal knows it without a search;
     * -1 otherwise. Lets the ledger see that no other writer committed since its last record
     * without reading the journal.
     */
    default long nextAddress() {
        return -1;
    }
}
