package dev.indelible.projections;

import dev.indelible.ledger.RecordedEvent;

import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * A user-written projection for the engine's tests: per event a row keyed by global_seq, and a
 * counter per stream. It can be told to wait in {@code apply} so a test can hold a rebuild open.
 */
public class CountingProjection implements Projection {

    private final String name;
    private final int version;
    private volatile CountDownLatch gate;
    private final CountDownLatch held = new CountDownLatch(1);

    public CountingProjection(String name, int version) {
        this.name = name;
        this.version = version;
    }

    public CountingProjection(String name) {
        this(name, 1);
    }

    /** Makes every {@code apply} wait until the latch opens. */
    public void holdAt(CountDownLatch latch) {
        this.gate = latch;
    }

    /** Waits until an {@code apply} is being held. */
    public boolean awaitHeld(long seconds) throws InterruptedException {
        return held.await(seconds, java.util.concurrent.TimeUnit.SECONDS);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int version() {
        return version;
    }

    @Override
    public Set<String> eventTypes() {
        return Set.of("test.counted");
    }

    @Override
    public void apply(RecordedEvent event, ProjectionBatch batch) {
        CountDownLatch latch = gate;
        if (latch != null) {
            held.countDown();
            try {
                latch.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        batch.put(Keys.of('e').i64(event.globalSeq()).build(), event.stream().getBytes(StandardCharsets.UTF_8));
        batch.add(Keys.of('c').string(event.stream()).build(), 1);
        batch.add(Keys.of('t').build(), 1);
    }

    /** The number of events counted, at one snapshot. */
    public static long total(ProjectionState state) {
        return state.getLong(Keys.of('t').build());
    }

    public static long countFor(ProjectionState state, String stream) {
        return state.getLong(Keys.of('c').string(stream).build());
    }
}
