package dev.indelible.ledger.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.indelible.ledger.EventId;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.RecordedEvent;
import dev.indelible.projections.EngineConfig;
import dev.indelible.projections.OfflineProjections;
import dev.indelible.projections.Projection;
import dev.indelible.projections.ProjectionBatch;
import dev.indelible.projections.ProjectionEngine;
import dev.indelible.projections.RebuildResult;
import dev.indelible.projections.reference.DomainEvents;
import dev.indelible.projections.reference.MixedEvents;
import dev.indelible.projections.reference.ReferenceProjections;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reference projections consume every partition of a journal in whatever order the partitions
 * interleave: the same events, split into 3 partitions by the default rule and merged in two
 * interleavings (each partition's order kept, as a reader of every partition sees them), each event
 * given to the projection with its own partition's {@code global_seq} (what it carries on a
 * partitioned journal), give one digest per projection for all five; and the engine itself, over the
 * 3 partitions as 3 ledgers (rebuilt, and followed live), gives the same digests.
 *
 * <p>Selfies, accounts and community key by a {@code global_seq} only within streams the default rule
 * keeps in one partition (a user's selfies; all accounts; all the community); videos by none; messages
 * (code version 2) by project and stream version, a user's messages by their time. Code version 1 of
 * messages keyed by {@code global_seq} alone across projects, which are spread over partitions: two
 * partitions' messages with one sequence overwrote each other, and which survived depended on the
 * interleaving (this test failed with it).
 */
class InterleavingDigestTest {
    private static final int PARTITIONS = 3;

    @TempDir
    Path dir;

    @Test
    void shouldGiveTheReferenceProjectionsOneDigestHoweverThePartitionsInterleave() {
        LedgerConfig config = DomainEvents.register(LedgerConfig.builder()).build();
        try (Ledger source = Ledger.open(dir.resolve("source"), config)) {
            MixedEvents workload = new MixedEvents(source, 42, "i");
            for (int i = 0; i < 600; i++) {
                workload.next();
            }
            List<List<RecordedEvent>> partitions = split(source.read(0, Integer.MAX_VALUE), PartitionRule.reference(PARTITIONS));
            List<RecordedEvent> random = interleave(partitions, new Random(7));
            List<RecordedEvent> oneAfterAnother = concatenate(partitions);
            assertNotEquals(streams(random), streams(oneAfterAnother), "the interleavings differ, or this shows nothing");
            Map<EventId, Long> partitionSeqs = partitionSeqs(partitions);

            List<RebuildResult> first = rebuild("random", random, partitionSeqs, config);
            List<RebuildResult> second = rebuild("one-after-another", oneAfterAnother, partitionSeqs, config);

            assertEquals(5, first.size());
            for (int i = 0; i < first.size(); i++) {
                assertEquals(first.get(i).newDigest(), second.get(i).newDigest(), first.get(i).projection());
            }
            assertTheEngineOverPartitionsGives(first, partitions, config);
        }
    }

    /** The partitions as 3 ledgers, rebuilt over by the engine and followed live: the digests of any interleaving. */
    private void assertTheEngineOverPartitionsGives(List<RebuildResult> expected, List<List<RecordedEvent>> events,
                                                    LedgerConfig config) {
        List<Ledger> partitions = new ArrayList<>();
        try {
            for (int p = 0; p < events.size(); p++) {
                Ledger partition = Ledger.open(dir.resolve("partition-" + p), config);
                partitions.add(partition);
                List<RecordedEvent> own = events.get(p);
                for (int i = 0; i < own.size(); i++) {
                    partition.appendRecorded(List.of(withSeq(own.get(i), i))).join();
                }
            }
            List<RebuildResult> rebuilt = OfflineProjections.rebuild(partitions, dir.resolve("partitioned-projections"),
                ReferenceProjections.all(), (position, target) -> { });
            try (ProjectionEngine live = ProjectionEngine.start(partitions, dir.resolve("partitioned-live"),
                     ReferenceProjections.all(), EngineConfig.defaults().withBatchEvents(7))) {
                assertTrue(live.awaitCaughtUp(Duration.ofSeconds(60)));
                for (int i = 0; i < expected.size(); i++) {
                    String name = expected.get(i).projection();
                    assertEquals(expected.get(i).newDigest(), rebuilt.get(i).newDigest(), name + " rebuilt over partitions");
                    assertEquals(expected.get(i).newDigest(), live.digest(name), name + " followed live over partitions");
                }
            }
        } finally {
            partitions.forEach(Ledger::close);
        }
    }

    private static List<List<RecordedEvent>> split(List<RecordedEvent> events, PartitionRule rule) {
        List<List<RecordedEvent>> partitions = new ArrayList<>();
        for (int p = 0; p < rule.partitions(); p++) {
            partitions.add(new ArrayList<>());
        }
        events.forEach(e -> partitions.get(rule.partitionOf(e.stream())).add(e));
        return partitions;
    }

    /** Each event's position in its own partition. */
    private static Map<EventId, Long> partitionSeqs(List<List<RecordedEvent>> partitions) {
        Map<EventId, Long> seqs = new HashMap<>();
        for (List<RecordedEvent> partition : partitions) {
            for (int i = 0; i < partition.size(); i++) {
                seqs.put(partition.get(i).eventId(), (long) i);
            }
        }
        return seqs;
    }

    /** Each partition's events in order, the next partition chosen at random. */
    private static List<RecordedEvent> interleave(List<List<RecordedEvent>> partitions, Random random) {
        List<RecordedEvent> merged = new ArrayList<>();
        int[] next = new int[partitions.size()];
        int total = partitions.stream().mapToInt(List::size).sum();
        while (merged.size() < total) {
            int p = random.nextInt(partitions.size());
            if (next[p] < partitions.get(p).size()) {
                merged.add(partitions.get(p).get(next[p]++));
            }
        }
        return merged;
    }

    /** The last partition first, then the others. */
    private static List<RecordedEvent> concatenate(List<List<RecordedEvent>> partitions) {
        List<RecordedEvent> all = new ArrayList<>();
        for (int p = partitions.size() - 1; p >= 0; p--) {
            all.addAll(partitions.get(p));
        }
        return all;
    }

    /**
     * A journal holding {@code events} in this order, and the reference projections rebuilt from it,
     * each event given to them with its partition's {@code global_seq}.
     */
    private List<RebuildResult> rebuild(String name, List<RecordedEvent> events, Map<EventId, Long> partitionSeqs,
                                        LedgerConfig config) {
        try (Ledger ledger = Ledger.open(dir.resolve(name), config)) {
            for (int i = 0; i < events.size(); i++) {
                ledger.appendRecorded(List.of(withSeq(events.get(i), i))).join();
            }
            List<Projection> partitioned = new ArrayList<>();
            for (Projection projection : ReferenceProjections.all()) {
                partitioned.add(new OnPartitionSeqs(projection, partitionSeqs));
            }
            return OfflineProjections.rebuild(ledger, dir.resolve(name + "-projections"), partitioned, (position, target) -> { });
        }
    }

    private static RecordedEvent withSeq(RecordedEvent e, long seq) {
        return new RecordedEvent(seq, e.stream(), e.streamVersion(), e.eventId(), e.type(), e.contentType(),
            e.recordedAtMicros(), e.producerId(), e.payload(), e.metadata());
    }

    private static List<String> streams(List<RecordedEvent> events) {
        return events.stream().map(RecordedEvent::stream).toList();
    }

    /** {@code projection}, given each event with its own partition's global_seq. */
    private record OnPartitionSeqs(Projection projection, Map<EventId, Long> partitionSeqs) implements Projection {
        @Override
        public String name() {
            return projection.name();
        }

        @Override
        public int version() {
            return projection.version();
        }

        @Override
        public Set<String> eventTypes() {
            return projection.eventTypes();
        }

        @Override
        public void apply(RecordedEvent event, ProjectionBatch batch) {
            projection.apply(withSeq(event, partitionSeqs.get(event.eventId())), batch);
        }
    }
}
