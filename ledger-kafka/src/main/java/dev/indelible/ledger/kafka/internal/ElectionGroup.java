package dev.indelible.ledger.kafka.internal;

import dev.indelible.ledger.DaemonThreads;
import dev.indelible.ledger.LedgerException;
import dev.indelible.ledger.kafka.KafkaJournalConfig;
import dev.indelible.ledger.kafka.WriterElection;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.DescribeConsumerGroupsOptions;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer group behind {@link WriterElection}: one thread polls the group's consumer (which
 * runs the rebalance callbacks), opens the writer when the control partition is assigned here and
 * deposes it when revoked or lost, and asks the coordinator every {@code lookup} who holds it.
 *
 * <p>Thread-safe: the consumer is touched by the election thread only; the rest is volatile.
 */
public final class ElectionGroup implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ElectionGroup.class);
    private static final String CLIENT_PREFIX = "indelible-node-";
    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration LOOKUP_TIMEOUT = Duration.ofSeconds(2);
    private static final long RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    private final KafkaJournalConfig kafka;
    private final String groupId;
    private final String controlTopic;
    private final String advertised;
    private final WriterElection.Role role;
    private final long lookupNanos;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Admin admin;
    private final Thread thread;
    private volatile boolean running = true;
    /** The control partition is assigned here (election thread only writes). */
    private volatile boolean assigned;
    /** {@link WriterElection.Role#elected} succeeded and nothing failed since. */
    private volatile boolean serving;
    private volatile String writer;
    private volatile boolean lookupNow = true;
    /** Writer failures so far: one during {@link WriterElection.Role#elected} makes its success void. */
    private final AtomicLong failures = new AtomicLong();

    private ElectionGroup(KafkaJournalConfig kafka, ClientSettings settings, Duration session, Duration heartbeat,
                          Duration lookup, String advertised, WriterElection.Role role) {
        this.kafka = kafka;
        this.groupId = "indelible-writer-" + kafka.topic() + "-" + kafka.partition();
        this.controlTopic = kafka.topic() + "-writers";
        this.advertised = advertised;
        this.role = role;
        this.lookupNanos = lookup.toNanos();
        this.admin = Admin.create(settings.admin());
        this.consumer = new KafkaConsumer<>(settings.electionMember(groupId, CLIENT_PREFIX + advertised, session, heartbeat));
        this.thread = DaemonThreads.unstarted("indelible-election-" + kafka.partition(), this::run);
    }

    public static ElectionGroup join(KafkaJournalConfig kafka, Duration session, Duration heartbeat, Duration lookup,
                                     String advertised, WriterElection.Role role) {
        ClientSettings settings = new ClientSettings(kafka);
        try (Admin admin = Admin.create(settings.admin())) {
            // The followers' readers need the ledger's topic to exist.
            ensureTopic(admin, kafka);
            ensureTopic(admin, new KafkaJournalConfig(kafka.bootstrapServers(), kafka.topic() + "-writers", 0,
                kafka.transactionalId(), true, kafka.replicationFactor(), kafka.timeout(), kafka.clientProperties()));
        }
        ElectionGroup group = new ElectionGroup(kafka, settings, session, heartbeat, lookup, advertised, role);
        group.thread.start();
        LOG.info("{}: '{}' joined the writer election (group {}, session timeout {} ms, heartbeat {} ms)",
            kafka.describe(), advertised, group.groupId, session.toMillis(), heartbeat.toMillis());
        return group;
    }

    /**
     * Nodes started together create the topics together: a broker can answer for a topic another
     * node just created before it knows its settings. Tried again until the timeout.
     */
    private static void ensureTopic(Admin admin, KafkaJournalConfig topic) {
        long deadline = System.nanoTime() + topic.timeout().toNanos();
        while (true) {
            try {
                TopicCheck.ensure(admin, topic);
                return;
            } catch (LedgerException e) {
                if (System.nanoTime() > deadline || e.getMessage().contains("refusing a topic")
                    || e.getMessage().contains("does not exist")) {
                    throw e;
                }
                LOG.info("{}: {}; trying again", topic.describe(), e.getMessage());
                try {
                    Thread.sleep(RETRY_NANOS / 1_000_000);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    public boolean isWriter() {
        return assigned && serving;
    }

    public String writer() {
        return isWriter() ? advertised : writer;
    }

    public void writerFailed() {
        failures.incrementAndGet();
        serving = false;
    }

    private void run() {
        consumer.subscribe(List.of(controlTopic), new Callbacks());
        long lastLookup = 0;
        long lastAttempt = 0;
        while (running) {
            try {
                consumer.poll(POLL);
                long now = System.nanoTime();
                if (assigned && !serving && now - lastAttempt > RETRY_NANOS) {
                    lastAttempt = now;
                    // After a failure, only if the coordinator still says so: a writer fenced by a newer one
                    // may learn that it lost its membership only at a later poll.
                    serving = holdsPartition() && elect();
                }
                if (lookupNow || now - lastLookup > lookupNanos) {
                    lookupNow = false;
                    lastLookup = now;
                    writer = lookup();
                    if (writer != null) {
                        role.writerIs(writer);
                    }
                }
            } catch (WakeupException closing) {
                break;
            } catch (RuntimeException e) {
                LOG.warn("{}: writer election: {}", kafka.describe(), e.toString());
            }
        }
        depose();
        try {
            consumer.close(Duration.ofSeconds(5)); // leaves the group: the next writer is chosen now
        } catch (RuntimeException e) {
            LOG.warn("{}: leaving the writer election: {}", kafka.describe(), e.toString());
        }
    }

    private boolean elect() {
        long failed = failures.get();
        try {
            boolean opened = role.elected() && failures.get() == failed;
            if (opened) {
                LOG.info("{}: '{}' is the partition's writer", kafka.describe(), advertised);
            }
            return opened;
        } catch (RuntimeException e) {
            LOG.warn("{}: elected, but cannot open the writer (trying again while elected): {}", kafka.describe(), e.toString());
            return false;
        }
    }

    private void depose() {
        boolean was = assigned;
        assigned = false;
        serving = false;
        if (was) {
            LOG.info("{}: '{}' is no longer the partition's writer", kafka.describe(), advertised);
            role.deposed();
        }
    }

    /** Whether the coordinator says this member holds the control partition. */
    private boolean holdsPartition() {
        MemberDescription holder = holder();
        return holder != null && holder.consumerId().equals(consumer.groupMetadata().memberId());
    }

    /** The advertised address of the member holding the control partition, or null when none does. */
    private String lookup() {
        MemberDescription holder = holder();
        return holder == null ? null : holder.clientId().substring(CLIENT_PREFIX.length());
    }

    private MemberDescription holder() {
        ConsumerGroupDescription group;
        try {
            // Briefly: the thread that asks also polls, and a revocation is seen only in poll.
            group = admin.describeConsumerGroups(List.of(groupId), new DescribeConsumerGroupsOptions()
                .timeoutMs((int) LOOKUP_TIMEOUT.toMillis())).describedGroups().get(groupId)
                .get(LOOKUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new LedgerException("cannot describe the writer election's group " + groupId + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WakeupException();
        }
        TopicPartition control = new TopicPartition(controlTopic, 0);
        for (MemberDescription member : group.members()) {
            if (member.assignment().topicPartitions().contains(control) && member.clientId().startsWith(CLIENT_PREFIX)) {
                return member;
            }
        }
        return null;
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        admin.close(Duration.ofSeconds(1));
    }

    /** Runs inside {@code poll}, on the election thread. */
    private final class Callbacks implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            lookupNow = true;
            if (!partitions.isEmpty() && !assigned) {
                assigned = true;
                serving = elect();
            }
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            lookupNow = true;
            if (!partitions.isEmpty()) {
                depose();
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            lookupNow = true;
            if (!partitions.isEmpty()) {
                depose();
            }
        }
    }
}
