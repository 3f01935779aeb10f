package dev.indelible.ledger.kafka;

import dev.indelible.ledger.kafka.internal.ElectionGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Chooses which of the nodes serving a journal is each partition's writer, with Kafka's own
 * mechanism, never a protocol of ours: the nodes join a consumer group on a control topic
 * ({@code <topic>-writers}, no records) with one partition per partition whose writer it elects,
 * and the member the group coordinator assigns control partition {@code p} is the writer of
 * partition {@code p}. The sticky assignor keeps a writer where it is while its node lives; a node
 * that dies, hangs or loses the cluster stops heartbeating, and after the session timeout the
 * coordinator gives its partitions to the other members, whose {@link Role#elected} opens the
 * writer: {@code initTransactions} there fences the old writer, so an old writer that comes back
 * cannot commit even before it learns it was deposed.
 *
 * <p>One partition's election ({@link #join(KafkaJournalConfig, Settings, String, Role)}) is a
 * group of its own, {@code indelible-writer-<topic>-<partition>}. A journal over P partitions
 * ({@link #join(PartitionedJournalConfig, Settings, String, List)}) is one group,
 * {@code indelible-writers-<topic>}, over a control topic of P partitions: the assignor spreads
 * them evenly over the members, so the writers are spread over the nodes (with 2 nodes and P = 3,
 * 2 and 1), and a node that joins takes over partitions from nodes holding more than their share.
 * (A group per partition would let the first node to start win every partition and keep them.)
 *
 * <p>Every member's Kafka client id carries the address it advertises, so a node that is not a
 * partition's writer finds the writer's address in the group's description ({@link #writer}), to
 * forward appends.
 *
 * <p>Thread-safe. {@link Role}'s callbacks run on the election's own thread, one at a time, except
 * that partitions won together are opened together, each on a thread of its own.
 */
public final class WriterElection implements AutoCloseable {
    private final ElectionGroup group;

    private WriterElection(ElectionGroup group) {
        this.group = group;
    }

    /**
     * What a node does when it wins or loses a partition. {@link #elected} may block (it opens the
     * writer: fencing, then reading the partition to its end); it is called again while the node
     * holds the partition and returned false or threw.
     */
    public interface Role {
        /** This node is the partition's writer: open it. False (or a throw) when it could not. */
        boolean elected();

        /** This node no longer is the writer (revoked, or its membership lost): stop acknowledging at once. */
        void deposed();

        /**
         * The coordinator named the writer (this node's own address when it is): at every lookup that
         * names one, so a node forwarding to a writer that was replaced learns it within a lookup.
         */
        default void writerIs(String advertised) {
        }
    }

    /**
     * How fast a dead writer is replaced. The coordinator declares a member dead after
     * {@code sessionTimeout} without a heartbeat (the brokers' {@code group.min.session.timeout.ms},
     * 6 s by default, is the least they accept); members heartbeat every {@code heartbeatInterval},
     * which is also how soon the others learn of a rebalance. {@code writerLookup}: how often a
     * node asks the group who the writer is.
     */
    public record Settings(Duration sessionTimeout, Duration heartbeatInterval, Duration writerLookup) {
        public static final Settings DEFAULTS = new Settings(Duration.ofSeconds(6), Duration.ofSeconds(1),
            Duration.ofSeconds(1));

        public Settings {
            if (sessionTimeout.toMillis() < 1) {
                throw new IllegalArgumentException("sessionTimeout: must be at least 1 ms, was " + sessionTimeout);
            }
            if (heartbeatInterval.toMillis() < 1 || heartbeatInterval.compareTo(sessionTimeout) >= 0) {
                throw new IllegalArgumentException("heartbeatInterval: must be at least 1 ms and below the session timeout ("
                    + sessionTimeout.toMillis() + " ms), was " + heartbeatInterval.toMillis() + " ms");
            }
            if (writerLookup.toMillis() < 1) {
                throw new IllegalArgumentException("writerLookup: must be at least 1 ms, was " + writerLookup);
            }
        }
    }

    /**
     * The addresses of the nodes taking part in the election of {@code kafka}'s writer (a cluster
     * serving its topic, over this partition or over several), whether or not they are its writer;
     * empty when none does. A process about to open the writer itself would fence theirs.
     */
    public static List<String> members(KafkaJournalConfig kafka) {
        return ElectionGroup.members(List.of(kafka));
    }

    /** {@link #members(KafkaJournalConfig)} for a journal over several partitions: any of them. */
    public static List<String> members(PartitionedJournalConfig journal) {
        List<KafkaJournalConfig> partitions = new ArrayList<>();
        for (int p = 0; p < journal.partitions(); p++) {
            partitions.add(journal.partition(p));
        }
        return ElectionGroup.members(partitions);
    }

    /**
     * Joins the election for {@code kafka}'s partition, creating the ledger's topic and the control
     * topic when absent, and returns at once: {@code role} is told when this node is elected. The
     * election's partition is then index 0 of {@link #isWriter(int)} and {@link #writer(int)}.
     *
     * @param advertised the address other nodes reach this one at ({@code host:port}), for {@link #writer}
     */
    public static WriterElection join(KafkaJournalConfig kafka, Settings settings, String advertised, Role role) {
        checkAdvertised(advertised);
        return new WriterElection(ElectionGroup.joinOne(kafka, settings, advertised, role));
    }

    /**
     * Joins the election of every partition's writer of {@code journal}, creating its topic (with P
     * partitions) and the control topic when absent, and returns at once: {@code roles.get(p)} is told
     * when this node is elected partition p's writer.
     *
     * @throws dev.indelible.ledger.LedgerException naming the topic when either has another partition count
     */
    public static WriterElection join(PartitionedJournalConfig journal, Settings settings, String advertised,
                                      List<? extends Role> roles) {
        checkAdvertised(advertised);
        if (roles.size() != journal.partitions()) {
            throw new IllegalArgumentException("roles: one per partition, " + journal.partitions() + ", was " + roles.size());
        }
        List<KafkaJournalConfig> partitions = new ArrayList<>();
        for (int p = 0; p < journal.partitions(); p++) {
            partitions.add(journal.partition(p));
        }
        return new WriterElection(ElectionGroup.joinAll(partitions, settings, advertised, roles));
    }

    private static void checkAdvertised(String advertised) {
        if (advertised == null || advertised.isBlank() || advertised.contains(" ")) {
            throw new IllegalArgumentException("advertised: a host:port without spaces is required, was '" + advertised + "'");
        }
    }

    /** The number of partitions this election chooses writers for. */
    public int partitions() {
        return group.seats();
    }

    /** Whether this node is partition {@code p}'s writer and its {@link Role#elected} succeeded. */
    public boolean isWriter(int p) {
        return group.isWriter(p);
    }

    /** {@link #isWriter(int)} of a one-partition election. */
    public boolean isWriter() {
        return isWriter(0);
    }

    /**
     * The advertised address of partition {@code p}'s writer as the group's coordinator last said,
     * or empty while none is known (an election in progress). It can name a node that just died
     * until its session times out.
     */
    public Optional<String> writer(int p) {
        return Optional.ofNullable(group.writer(p));
    }

    /** {@link #writer(int)} of a one-partition election. */
    public Optional<String> writer() {
        return writer(0);
    }

    /** This node's writer of partition {@code p} failed: if the node still holds it, {@link Role#elected} runs again. */
    public void writerFailed(int p) {
        group.writerFailed(p);
    }

    /** Leaves the group (others are elected at once, not after the session timeout), deposing this node first. */
    @Override
    public void close() {
        group.close();
    }
}
