package dev.indelible.server;

import dev.indelible.ledger.RecordedEvent;

/**
 * An event of a read or subscription of every event ({@link IndelibleClient#read(String, int)},
 * {@link IndelibleClient#subscribe(String, java.util.function.Consumer, java.util.function.Consumer)}),
 * with where to go on past it. Over a journal of several partitions its {@code global_seq} counts
 * within its partition only, so {@link #next} is the position, not the {@code global_seq}.
 *
 * @param partition the partition that holds it; 0 over a journal of one partition
 * @param event     the event
 * @param next      where to read or subscribe from to go on past it and every event before it in
 *                  the same read or subscription: text to store and pass back as it is
 *                  ({@code "12,0,7"}, one {@code global_seq} per partition; over one partition the
 *                  next {@code global_seq}, {@code "13"})
 */
public record PositionedEvent(int partition, RecordedEvent event, String next) {
}
