package dev.indelible.ledger.kafka.internal;

import dev.indelible.ledger.DaemonThreads;
import dev.indelible.ledger.LedgerException;
import dev.indelible.ledger.kafka.KafkaJournalConfig;
import dev.indelible.ledger.kafka.WriterElection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
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
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer group behind {@link WriterElection}: one thread polls the group's consumer (which
 * runs the rebalance callbacks), opens a partition's writer when its control partition is assigned
 * here and deposes it when revoked or lost, and asks the coordinator every {@code lookup} who holds
 * each control partition. Control partition {@code i} elects the writer of {@link Seat} {@code i}.
 *
 * <p>Thread-safe: the consumer is touched by the election thread only; the rest is volatile.
 */
public final class ElectionGroup implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ElectionGroup.class);
    private static final String CLIENT_PREFIX = "indelible-node-";
    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration LOOKUP_TIMEOUT = Duration.ofSeconds(2);
    private static final long RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    private final String describe;
    private final String groupId;
    private final String controlTopic;
    private final String advertised;
    private final List<Seat> seats;
    private final long lookupNanos;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Admin admin;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean lookupNow = true;

    private ElectionGroup(String describe, ClientSettings settings, String groupId, String controlTopic,
                          WriterElection.Settings timing, String advertised, List<Seat> seats) {
        this.describe = describe;
        this.groupId = groupId;
        this.controlTopic = controlTopic;
        this.advertised = advertised;
        this.seats = List.copyOf(seats);
        this.lookupNanos = timing.writerLookup().toNanos();
        this.admin = Admin.create(settings.admin());
        this.consumer = new KafkaConsumer<>(settings.electionMember(groupId, CLIENT_PREFIX + advertised,
            timing.sessionTimeout(), timing.heartbeatInterval()));
        this.thread = DaemonThreads.unstarted("indelible-election-" + groupId, this::run);
    }

    /**
     * The election of one partition's writer: group {@code indelible-writer-<topic>-<partition>} on
     * the one-partition control topic {@code <topic>-writers}.
     */
    public static ElectionGroup joinOne(KafkaJournalConfig kafka, WriterElection.Settings timing, String advertised,
                                        WriterElection.Role role) {
        ClientSettings settings = new ClientSettings(kafka);
        try (Admin admin = Admin.create(settings.admin())) {
            // The followers' readers need the ledger's topic to exist.
            retrying(kafka, () -> TopicCheck.ensure(admin, kafka));
            ensureControlTopic(admin, kafka, 1);
        }
        return start(kafka.describe(), settings, partitionGroup(kafka), timing,
            advertised, List.of(new Seat(kafka, role)));
    }

    /**
     * The election of every partition's writer of a journal over {@code roles.size()} partitions:
     * one group, {@code indelible-writers-<topic>}, on a control topic {@code <topic>-writers} with as
     * many partitions, so the coordinator's assignor spreads the writers over the members.
     *
     * @param journals partition p's journal at index p (for the topic check and the logs)
     */
    public static ElectionGroup joinAll(List<KafkaJournalConfig> journals, WriterElection.Settings timing,
                                        String advertised, List<? extends WriterElection.Role> roles) {
        KafkaJournalConfig first = journals.get(0);
        ClientSettings settings = new ClientSettings(first);
        try (Admin admin = Admin.create(settings.admin())) {
            retrying(first, () -> TopicCheck.ensurePartitions(admin, first, journals.size()));
            ensureControlTopic(admin, first, journals.size());
        }
        List<Seat> seats = new ArrayList<>();
        for (int p = 0; p < journals.size(); p++) {
            seats.add(new Seat(journals.get(p), roles.get(p)));
        }
        String describe = "kafka://" + first.bootstrapServers() + "/" + first.topic() + " (" + journals.size() + " partitions)";
        return start(describe, settings, topicGroup(first), timing, advertised, seats);
    }

    /**
     * The addresses the members of the writer elections of {@code journals}' topic advertise,
     * whether or not they hold a partition: each partition's own group and the topic's group over
     * partitions. Empty when no node serves the topic as a cluster.
     */
    public static List<String> members(List<KafkaJournalConfig> journals) {
        KafkaJournalConfig first = journals.get(0);
        List<String> groups = new ArrayList<>(List.of(topicGroup(first)));
        journals.forEach(j -> groups.add(partitionGroup(j)));
        List<String> members = new ArrayList<>();
        try (Admin admin = Admin.create(new ClientSettings(first).admin())) {
            Map<String, KafkaFuture<ConsumerGroupDescription>> described = admin.describeConsumerGroups(groups,
                new DescribeConsumerGroupsOptions().timeoutMs((int) first.timeout().toMillis())).describedGroups();
            for (String group : groups) {
                for (MemberDescription member : described(described.get(group), group, first)) {
                    String address = advertised(member);
                    if (address != null) {
                        members.add(address);
                    }
                }
            }
        }
        return members;
    }

    /** One partition's election: {@code indelible-writer-<topic>-<partition>}. */
    private static String partitionGroup(KafkaJournalConfig kafka) {
        return "indelible-writer-" + kafka.topic() + "-" + kafka.partition();
    }

    /** The election of every partition of the topic: {@code indelible-writers-<topic>}. */
    private static String topicGroup(KafkaJournalConfig kafka) {
        return "indelible-writers-" + kafka.topic();
    }

    /** The address a node member advertises (its client id carries it); null for any other member. */
    private static String advertised(MemberDescription member) {
        return member.clientId().startsWith(CLIENT_PREFIX) ? member.clientId().substring(CLIENT_PREFIX.length()) : null;
    }

    private static Collection<MemberDescription> described(KafkaFuture<ConsumerGroupDescription> future, String group,
                                                           KafkaJournalConfig journal) {
        try {
            return future.get().members();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return List.of();
            }
            throw new LedgerException(journal.describe() + ": cannot describe the writer election's group " + group
                + ": " + e.getCause(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LedgerException("interrupted while describing the writer election's group " + group, e);
        }
    }

    private static ElectionGroup start(String describe, ClientSettings settings, String groupId,
                                       WriterElection.Settings timing, String advertised, List<Seat> seats) {
        ElectionGroup group = new ElectionGroup(describe, settings, groupId, seats.get(0).journal.topic() + "-writers",
            timing, advertised, seats);
        group.thread.start();
        LOG.info("{}: '{}' joined the writer election (group {}, session timeout {} ms, heartbeat {} ms)", describe,
            advertised, groupId, timing.sessionTimeout().toMillis(), timing.heartbeatInterval().toMillis());
        return group;
    }

    /**
     * The control topic has one partition per writer it elects: one made for another shape of
     * journal (a cluster of one partition, or of another count) would elect the wrong writers.
     */
    private static void ensureControlTopic(Admin admin, KafkaJournalConfig journal, int partitions) {
        KafkaJournalConfig control = new KafkaJournalConfig(journal.bootstrapServers(), journal.topic() + "-writers",
            partitions - 1, journal.transactionalId(), true, journal.replicationFactor(), journal.timeout(),
            journal.clientProperties());
        int found = TopicCheck.partitions(admin, control);
        if (found != 0 && found != partitions) {
            throw new LedgerException(control.describe() + ": the writer election's control topic '" + control.topic()
                + "' has " + found + " partition(s), one per partition whose writer it elects, but these nodes elect "
                + partitions + ": nodes serving this topic as " + (found == 1 ? "one partition (?partition=N)"
                : "a journal of " + found + " partitions") + " made it. Stop them, delete it (kafka-topics.sh --delete"
                + " --topic " + control.topic() + "; it never holds a record), and start the nodes again");
        }
        retrying(control, () -> TopicCheck.ensure(admin, control)); // creates `partitions` when absent
    }

    /**
     * Nodes started together create the topics together: a broker can answer for a topic another
     * node just created before it knows its settings. Tried again until the timeout.
     */
    private static void retrying(KafkaJournalConfig topic, Runnable check) {
        long deadline = System.nanoTime() + topic.timeout().toNanos();
        while (true) {
            try {
                check.run();
                return;
            } catch (TopicRefusedException e) {
                throw e;
            } catch (LedgerException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                LOG.info("{}: {}; trying again", topic.describe(), e.getMessage());
                try {
                    Thread.sleep(TimeUnit.NANOSECONDS.toMillis(RETRY_NANOS));
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    public int seats() {
        return seats.size();
    }

    public boolean isWriter(int seat) {
        return seats.get(seat).isWriter();
    }

    public String writer(int seat) {
        Seat s = seats.get(seat);
        return s.isWriter() ? advertised : s.writer;
    }

    public void writerFailed(int seat) {
        Seat s = seats.get(seat);
        s.failures.incrementAndGet();
        s.serving = false;
    }

    private void run() {
        consumer.subscribe(List.of(controlTopic), new Callbacks());
        long lastLookup = 0;
        while (running) {
            try {
                consumer.poll(POLL);
                long now = System.nanoTime();
                for (Seat seat : seats) {
                    if (seat.assigned && !seat.serving && now - seat.lastAttempt > RETRY_NANOS) {
                        seat.lastAttempt = now;
                        // After a failure, only if the coordinator still says so: a writer fenced by a newer one
                        // may learn that it lost its membership only at a later poll.
                        seat.serving = holds(seat) && elect(seat);
                    }
                }
                if (lookupNow || now - lastLookup > lookupNanos) {
                    lookupNow = false;
                    lastLookup = now;
                    lookup();
                }
            } catch (WakeupException closing) {
                break;
            } catch (RuntimeException e) {
                LOG.warn("{}: writer election: {}", describe, e.toString());
            }
        }
        seats.forEach(this::depose);
        try {
            consumer.close(Duration.ofSeconds(5)); // leaves the group: the next writers are chosen now
        } catch (RuntimeException e) {
            LOG.warn("{}: leaving the writer election: {}", describe, e.toString());
        }
    }

    /** Elects several seats together: each opens its writer (fencing, catching up) on a thread of its own. */
    private void electAll(List<Seat> won) {
        if (won.size() == 1) {
            won.get(0).serving = elect(won.get(0));
            return;
        }
        List<CompletableFuture<Void>> opening = new ArrayList<>();
        for (Seat seat : won) {
            opening.add(CompletableFuture.runAsync(() -> seat.serving = elect(seat),
                task -> DaemonThreads.start("indelible-elected-" + seat.journal.partition(), task)));
        }
        CompletableFuture.allOf(opening.toArray(CompletableFuture[]::new)).join();
    }

    private boolean elect(Seat seat) {
        long failed = seat.failures.get();
        try {
            boolean opened = seat.role.elected() && seat.failures.get() == failed;
            if (opened) {
                LOG.info("{}: '{}' is the partition's writer", seat.journal.describe(), advertised);
            }
            return opened;
        } catch (RuntimeException e) {
            LOG.warn("{}: elected, but cannot open the writer (trying again while elected): {}", seat.journal.describe(),
                e.toString());
            return false;
        }
    }

    private void depose(Seat seat) {
        boolean was = seat.assigned;
        seat.assigned = false;
        seat.serving = false;
        if (was) {
            LOG.info("{}: '{}' is no longer the partition's writer", seat.journal.describe(), advertised);
            seat.role.deposed();
        }
    }

    /** Whether the coordinator says this member holds the seat's control partition. */
    private boolean holds(Seat seat) {
        MemberDescription holder = holder(describeGroup(), seats.indexOf(seat));
        return holder != null && holder.consumerId().equals(consumer.groupMetadata().memberId());
    }

    /** Tells each seat's role the advertised address of the member holding its control partition. */
    private void lookup() {
        ConsumerGroupDescription group = describeGroup();
        for (int i = 0; i < seats.size(); i++) {
            MemberDescription holder = holder(group, i);
            Seat seat = seats.get(i);
            seat.writer = holder == null ? null : advertised(holder);
            if (seat.writer != null) {
                seat.role.writerIs(seat.writer);
            }
        }
    }

    private ConsumerGroupDescription describeGroup() {
        try {
            // Briefly: the thread that asks also polls, and a revocation is seen only in poll.
            return admin.describeConsumerGroups(List.of(groupId), new DescribeConsumerGroupsOptions()
                .timeoutMs((int) LOOKUP_TIMEOUT.toMillis())).describedGroups().get(groupId)
                .get(LOOKUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new LedgerException("cannot describe the writer election's group " + groupId + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WakeupException();
        }
    }

    /** The member holding control partition {@code index}, or null when none does. */
    private MemberDescription holder(ConsumerGroupDescription group, int index) {
        TopicPartition control = new TopicPartition(controlTopic, index);
        for (MemberDescription member : group.members()) {
            if (member.assignment().topicPartitions().contains(control) && advertised(member) != null) {
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

    /** The seats of {@code partitions} that are control partitions of this group's topic. */
    private List<Seat> seatsOf(Collection<TopicPartition> partitions) {
        List<Seat> of = new ArrayList<>();
        for (TopicPartition partition : partitions) {
            if (partition.topic().equals(controlTopic) && partition.partition() < seats.size()) {
                of.add(seats.get(partition.partition()));
            }
        }
        return of;
    }

    /** One writer this group elects: its journal partition, its role and what this member knows of it. */
    private static final class Seat {
        final KafkaJournalConfig journal;
        final WriterElection.Role role;
        /** Its control partition is assigned here (election thread only writes). */
        volatile boolean assigned;
        /** {@link WriterElection.Role#elected} succeeded and nothing failed since. */
        volatile boolean serving;
        /** The holder's advertised address at the last lookup. */
        volatile String writer;
        /** Writer failures so far: one during {@link WriterElection.Role#elected} makes its success void. */
        final AtomicLong failures = new AtomicLong();
        long lastAttempt; // election thread only

        Seat(KafkaJournalConfig journal, WriterElection.Role role) {
            this.journal = journal;
            this.role = role;
        }

        boolean isWriter() {
            return assigned && serving;
        }
    }

    /** Runs inside {@code poll}, on the election thread. */
    private final class Callbacks implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            lookupNow = true;
            List<Seat> won = seatsOf(partitions).stream().filter(seat -> !seat.assigned).toList();
            won.forEach(seat -> seat.assigned = true);
            if (!won.isEmpty()) {
                electAll(won);
            }
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            lookupNow = true;
            seatsOf(partitions).forEach(ElectionGroup.this::depose);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            lookupNow = true;
            seatsOf(partitions).forEach(ElectionGroup.this::depose);
        }
    }
}
