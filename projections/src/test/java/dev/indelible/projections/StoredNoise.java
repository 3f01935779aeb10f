package dev.indelible.projections;

import dev.indelible.ledger.EventData;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.RecordedEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.Set;

/** For the full-disk tests: events of 4 KB of noise, which compression cannot shrink, and a projection storing each. */
final class StoredNoise implements Projection {
    static final String TYPE = "test.stored";
    private final Random random;

    StoredNoise(long seed) {
        this.random = new Random(seed);
    }

    /** Appends {@code count} such events in one batch. */
    void append(Ledger ledger, int count) {
        List<EventData> events = new ArrayList<>();
        byte[] noise = new byte[3_000];
        for (int i = 0; i < count; i++) {
            random.nextBytes(noise);
            String pad = Base64.getEncoder().encodeToString(noise);
            events.add(EventData.json(TYPE, ("{\"pad\":\"" + pad + "\"}").getBytes(StandardCharsets.UTF_8)));
        }
        ledger.append("s-" + (ledger.head() % 97), ExpectedVersion.ANY, events);
    }

    @Override
    public String name() {
        return "stored";
    }

    @Override
    public int version() {
        return 1;
    }

    @Override
    public Set<String> eventTypes() {
        return Set.of(TYPE);
    }

    @Override
    public void apply(RecordedEvent event, ProjectionBatch batch) {
        batch.put(Keys.of('e').i64(event.globalSeq()).build(), event.payload());
    }
}
