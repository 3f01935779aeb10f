package dev.indelible.ledger;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongConsumer;
import java.util.function.UnaryOperator;

/**
 * Copies the first events of one ledger into another, event for event (positions, ids, times,
 * producers kept), and digests the sequence: SHA-256 over every field of every event, so two
 * journals with the same digest hold the same events, whatever stores them (backups, restores,
 * and copies between the embedded journal and Kafka).
 *
 * <p>Stateless.
 */
public final class LedgerCopy {
    private static final int PAGE = 10_000;

    private LedgerCopy() {
    }

    /** How many events were copied, and the digest of their sequence. */
    public record Copied(long events, String digest) {
    }

    /** Copies events {@code [0, upTo)} of {@code source} into the empty {@code target}; waits until durable. */
    public static Copied copy(Ledger source, long upTo, Ledger target) {
        return copy(source, upTo, target, copied -> { });
    }

    /** {@link #copy(Ledger, long, Ledger)}, telling {@code progress} how many events are read so far, a page at a time. */
    public static Copied copy(Ledger source, long upTo, Ledger target, LongConsumer progress) {
        return copy(source, upTo, target, UnaryOperator.identity(), progress);
    }

    /**
     * {@link #copy(Ledger, long, Ledger, LongConsumer)}, each event passed through {@code transform}
     * first (which keeps its position, e.g. {@link PersonalData#sealed}); the digest is the source's.
     */
    public static Copied copy(Ledger source, long upTo, Ledger target, UnaryOperator<RecordedEvent> transform,
                              LongConsumer progress) {
        Digest digest = new Digest();
        List<CompletableFuture<AppendResult>> pending = new ArrayList<>();
        List<RecordedEvent> group = new ArrayList<>();
        try (EventReader reader = source.openReader(0)) {
            long[] seen = {0};
            while (seen[0] < upTo) {
                int n = reader.poll(e -> {
                    if (e.globalSeq() >= upTo) {
                        return;
                    }
                    seen[0]++;
                    digest.add(e);
                    group.add(transform.apply(e));
                    if (e.globalSeq() + 1 == reader.appendEnd()) { // copied as recorded: a transaction stays whole
                        pending.add(target.appendRecorded(List.copyOf(group)));
                        group.clear();
                    }
                }, (int) Math.min(PAGE, upTo - seen[0]));
                if (n == 0) {
                    throw new IllegalStateException("the source ended at " + seen[0] + " events, before " + upTo);
                }
                progress.accept(seen[0]);
            }
        }
        if (!group.isEmpty()) {
            pending.add(target.appendRecorded(List.copyOf(group)));
        }
        pending.forEach(CompletableFuture::join);
        return new Copied(upTo, digest.hex());
    }

    /** The digest of events {@code [0, upTo)} of a ledger. */
    public static String digest(Ledger ledger, long upTo) {
        return digest(ledger, upTo, read -> { });
    }

    /** {@link #digest(Ledger, long)}, telling {@code progress} how many events are read so far, a page at a time. */
    public static String digest(Ledger ledger, long upTo, LongConsumer progress) {
        Digest digest = new Digest();
        try (EventReader reader = ledger.openReader(0)) {
            long[] seen = {0};
            while (seen[0] < upTo && reader.poll(e -> {
                if (e.globalSeq() < upTo) {
                    digest.add(e);
                    seen[0]++;
                }
            }, PAGE) > 0) {
                progress.accept(seen[0]);
            }
        }
        return digest.hex();
    }

    private static final class Digest {
        private final MessageDigest sha;

        Digest() {
            try {
                sha = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every JVM has SHA-256", e);
            }
        }

        void add(RecordedEvent e) {
            number(e.globalSeq());
            text(e.stream());
            number(e.streamVersion());
            bytes(e.eventId().toBytes());
            text(e.type());
            text(e.contentType().name());
            number(e.recordedAtMicros());
            text(e.producerId());
            bytes(e.payload());
            number(e.metadata().size());
            for (Map.Entry<String, String> m : new TreeMap<>(e.metadata()).entrySet()) {
                text(m.getKey());
                text(m.getValue());
            }
        }

        private void number(long value) {
            for (int shift = 56; shift >= 0; shift -= 8) {
                sha.update((byte) (value >>> shift));
            }
        }

        private void text(String value) {
            bytes(value.getBytes(StandardCharsets.UTF_8));
        }

        private void bytes(byte[] value) {
            number(value.length);
            sha.update(value);
        }

        String hex() {
            return HexFormat.of().formatHex(sha.digest());
        }
    }
}
