package dev.indelible.ledger;

import dev.indelible.ledger.RecordedEvent;

/**
 * An event read from a journal over several partitions: its {@code globalSeq} is dense within
 * {@code partition} only, so the pair is its position.
 *
 * @param partition the partition that holds it
 * @param event     the event, with its partition's {@code global_seq}
 */
public record PartitionedEvent(int partition, RecordedEvent event) {
}
