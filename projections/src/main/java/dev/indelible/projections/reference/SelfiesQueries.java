package dev.indelible.projections.reference;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.indelible.projections.Keys;
import dev.indelible.projections.ProjectionEngine;
import dev.indelible.projections.ProjectionException;
import dev.indelible.projections.ProjectionState;
import dev.indelible.projections.internal.ProtoTime;
import dev.indelible.projections.proto.SelfieSubmitted;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * Typed queries of the {@code selfies} projection; each runs on one consistent snapshot.
 *
 * <p>Thread-safe.
 */
public final class SelfiesQueries {

    private final ProjectionEngine engine;

    public SelfiesQueries(ProjectionEngine engine) {
        this.engine = engine;
    }

    /** A user's selfies submitted in {@code [from, to)}, oldest first. */
    public List<Selfie> byUser(long userId, Instant from, Instant to) {
        return engine.read(SelfiesProjection.NAME, state -> byUser(state, userId, from, to));
    }

    public long countFor(long userId) {
        return engine.read(SelfiesProjection.NAME, state -> state.getLong(SelfiesProjection.countKey(userId)));
    }

    /** Every selfie, by user and then time: for exports. */
    public List<Selfie> all() {
        return engine.read(SelfiesProjection.NAME, state -> {
            List<Selfie> selfies = new ArrayList<>();
            state.scan(Keys.of('s').build(), (key, value) -> selfies.add(toSelfie(value, Keys.trailingLong(key))));
            return selfies;
        });
    }

    public long total() {
        return engine.read(SelfiesProjection.NAME, state -> state.getLong(SelfiesProjection.TOTAL));
    }

    static List<Selfie> byUser(ProjectionState state, long userId, Instant from, Instant to) {
        long fromMicros = micros(from);
        long toMicros = micros(to);
        List<Selfie> selfies = new ArrayList<>();
        state.scan(SelfiesProjection.userPrefix(userId), SelfiesProjection.selfieKey(userId, fromMicros, Long.MIN_VALUE),
                (key, value) -> {
                    List<Object> parts = Keys.parse(key, "lll");
                    if ((Long) parts.get(1) >= toMicros) {
                        return false;
                    }
                    selfies.add(toSelfie(value, (Long) parts.get(2)));
                    return true;
                });
        return selfies;
    }

    /** Microseconds since the epoch, saturated: Instant.MIN and Instant.MAX mean "no bound". */
    private static long micros(Instant at) {
        try {
            return ChronoUnit.MICROS.between(Instant.EPOCH, at);
        } catch (ArithmeticException e) {
            return at.isBefore(Instant.EPOCH) ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    private static Selfie toSelfie(byte[] value, long globalSeq) {
        try {
            SelfieSubmitted s = SelfieSubmitted.parseFrom(value);
            return new Selfie(s.getUserId(), s.getMediaType(), s.getFileId(), ProtoTime.instant(s.getSubmittedAt()), globalSeq);
        } catch (InvalidProtocolBufferException e) {
            throw new ProjectionException("selfies holds an unreadable entry at global_seq " + globalSeq, e);
        }
    }

    public record Selfie(long userId, String mediaType, String fileId, Instant submittedAt, long globalSeq) {
    }
}
