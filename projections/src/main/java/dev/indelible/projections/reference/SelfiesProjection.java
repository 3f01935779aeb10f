package dev.indelible.projections.reference;

import dev.indelible.ledger.RecordedEvent;
import dev.indelible.projections.Keys;
import dev.indelible.projections.Projection;
import dev.indelible.projections.ProjectionBatch;
import dev.indelible.projections.internal.ProtoTime;
import dev.indelible.projections.proto.SelfieSubmitted;

import java.util.Set;

/**
 * The {@code selfies} reference projection: every selfie by user and time, a count per user and a
 * total. Queries are in {@link SelfiesQueries}.
 *
 * <pre>{@code
 * 's' user_id submitted_at(micros) global_seq -> SelfieSubmitted
 * 'c' user_id                                 -> count
 * 't'                                         -> total
 * }</pre>
 *
 * <p>Not thread-safe (the engine applies on one thread); holds no state of its own.
 */
public final class SelfiesProjection implements Projection {

    public static final String NAME = "selfies";

    static final byte[] TOTAL = Keys.of('t').build();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int version() {
        return 1;
    }

    @Override
    public Set<String> eventTypes() {
        return Set.of(DomainEvents.SELFIE_SUBMITTED);
    }

    @Override
    public void apply(RecordedEvent event, ProjectionBatch batch) {
        SelfieSubmitted selfie = DomainEvents.parse(event, SelfieSubmitted.class);
        batch.put(selfieKey(selfie.getUserId(), ProtoTime.micros(selfie.getSubmittedAt()), event.globalSeq()),
                selfie.toByteArray());
        batch.add(countKey(selfie.getUserId()), 1);
        batch.add(TOTAL, 1);
    }

    static byte[] selfieKey(long userId, long micros, long globalSeq) {
        return Keys.of('s').i64(userId).i64(micros).i64(globalSeq).build();
    }

    static byte[] userPrefix(long userId) {
        return Keys.of('s').i64(userId).build();
    }

    static byte[] countKey(long userId) {
        return Keys.of('c').i64(userId).build();
    }
}
