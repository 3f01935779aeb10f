package dev.indelible.projections;

import dev.indelible.ledger.RecordedEvent;

import java.util.Set;

/**
 * A projection for the partition tests: a row per event keyed by (stream, stream version), which no
 * two partitions share, and a counter bumped by every apply. Rows count the events applied at least
 * once, the counter every apply: they are equal only when nothing was applied twice.
 */
public class StreamCountingProjection implements Projection {

    private static final byte[] APPLIES = Keys.of('t').build();
    private static final byte[] ROWS = Keys.of('e').build();

    private final String name;

    public StreamCountingProjection(String name) {
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int version() {
        return 1;
    }

    @Override
    public Set<String> eventTypes() {
        return Set.of("test.counted");
    }

    @Override
    public void apply(RecordedEvent event, ProjectionBatch batch) {
        batch.put(Keys.of('e').string(event.stream()).i64(event.streamVersion()).build(), Keys.encodeLong(event.globalSeq()));
        batch.add(APPLIES, 1);
    }

    /** Every apply, repeats included. */
    public static long applies(ProjectionState state) {
        return state.getLong(APPLIES);
    }

    /** The distinct events applied: the rows. */
    public static long rows(ProjectionState state) {
        long[] rows = {0};
        state.scan(ROWS, (key, value) -> {
            rows[0]++;
            return true;
        });
        return rows[0];
    }
}
