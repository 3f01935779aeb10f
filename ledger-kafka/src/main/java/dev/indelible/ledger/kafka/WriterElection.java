package dev.indelible.ledger.kafka;

import dev.indelible.ledger.kafka.internal.ElectionGroup;
import java.time.Duration;
import java.util.Optional;

/**
 * Chooses which of the nodes serving a ledger's partition is its writer, with Kafka's own
 * mechanism, never a protocol of ours: every node joins one consumer group per partition
 * ({@code indelible-writer-<topic>-<partition>}) on a one-partition control topic
 * ({@code <topic>-writers}, no records), and the member the group coordinator assigns that
 * partition is the writer. The sticky assignor keeps it where it is while its node lives; a node
 * that dies, hangs or loses the cluster stops heartbeating, and after the session timeout the
 * coordinator gives the partition to another member, whose {@link Role#elected} opens the writer:
 * {@code initTransactions} there fences the old writer, so an old writer that comes back cannot
 * commit even before it learns it was deposed.
 *
 * <p>Every member's Kafka client id carries the address it advertises, so a node that is not the
 * writer finds the writer's address in the group's description ({@link #writer}), to forward appends.
 *
 * <p>Thread-safe. {@link Role}'s callbacks run on the election's own thread, one at a time.
 */
public final class WriterElection implements AutoCloseable {
    private final ElectionGroup group;

    private WriterElection(ElectionGroup group) {
        this.group = group;
    }

    /**
     * What a node does when it wins or loses the partition. {@link #elected} may block (it opens the
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
     * Joins the election for {@code kafka}'s partition, creating the ledger's topic and the control
     * topic when absent, and returns at once: {@code role} is told when this node is elected.
     *
     * @param advertised the address other nodes reach this one at ({@code host:port}), for {@link #writer}
     */
    public static WriterElection join(KafkaJournalConfig kafka, Settings settings, String advertised, Role role) {
        if (advertised == null || advertised.isBlank() || advertised.contains(" ")) {
            throw new IllegalArgumentException("advertised: a host:port without spaces is required, was '" + advertised + "'");
        }
        return new WriterElection(ElectionGroup.join(kafka, settings.sessionTimeout(), settings.heartbeatInterval(),
            settings.writerLookup(), advertised, role));
    }

    /** Whether this node is the writer and its {@link Role#elected} succeeded. */
    public boolean isWriter() {
        return group.isWriter();
    }

    /**
     * The advertised address of the partition's writer as the group's coordinator last said, or empty
     * while none is known (an election in progress). It can name a node that just died until its
     * session times out.
     */
    public Optional<String> writer() {
        return Optional.ofNullable(group.writer());
    }

    /** Tells the election this node's writer failed: if it still holds the partition, {@link Role#elected} runs again. */
    public void writerFailed() {
        group.writerFailed();
    }

    /** Leaves the group (another node is elected at once, not after the session timeout), deposing this one first. */
    @Override
    public void close() {
        group.close();
    }
}
