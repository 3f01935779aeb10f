package dev.indelible.ledger;

/**
 * When an append is acknowledged, and so what survives which failure. See ledger/README.md,
 * "Durability policies".
 */
public enum Durability {
    /**
     * Acknowledged once the record is in the journal's memory-mapped file. Survives the process
     * being killed ({@code kill -9}, a JVM crash): the kernel still holds and writes the pages.
     * A power cut or kernel crash loses what the kernel had not yet written back (up to
     * {@code vm.dirty_expire_centisecs}, 30 s by default). The fastest policy; the default.
     */
    MEMORY_MAPPED,

    /**
     * Acknowledged only after the journal file range holding the record was forced to stable
     * storage ({@code fdatasync}). Survives power loss. One sync covers every append written
     * before it, from every thread (group commit), so throughput comes from many appends in flight.
     */
    SYNC
}
