package dev.indelible.projections.internal;

import com.google.protobuf.Timestamp;

import java.time.Instant;

/** Conversions between {@link Instant} and Protobuf's {@link Timestamp}. */
public final class ProtoTime {
    private ProtoTime() {
    }

    public static Timestamp timestamp(Instant at) {
        return Timestamp.newBuilder().setSeconds(at.getEpochSecond()).setNanos(at.getNano()).build();
    }

    public static Instant instant(Timestamp at) {
        return Instant.ofEpochSecond(at.getSeconds(), at.getNanos());
    }

    /** Microseconds since the epoch: the resolution of keys ordered by time. */
    public static long micros(Timestamp at) {
        return Math.addExact(Math.multiplyExact(at.getSeconds(), 1_000_000L), at.getNanos() / 1_000);
    }
}
