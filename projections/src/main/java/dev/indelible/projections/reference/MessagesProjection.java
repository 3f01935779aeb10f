package dev.indelible.projections.reference;

import dev.indelible.ledger.RecordedEvent;
import dev.indelible.projections.Keys;
import dev.indelible.projections.Projection;
import dev.indelible.projections.ProjectionBatch;
import dev.indelible.projections.internal.ProtoTime;
import dev.indelible.projections.proto.MessagePosted;

import java.util.Set;

/**
 * The {@code messages} reference projection: the indexes the dashboards read, by project, channel
 * and user, with counts. Queries are in {@link MessagesQueries}.
 *
 * <pre>{@code
 * 'm' project version                       -> global_seq (8 bytes) + MessagePosted   'P' project -> count
 * 'h' project channel version               -> the 'm' key                  'H' project channel -> count
 * 'u' user posted_at(micros) project version -> the 'm' key                  'U' user            -> count
 * 't'                                       -> total
 * }</pre>
 *
 * <p>{@code version} is the message's version in its stream {@code messages-<project>}: a project's
 * messages in the order they were appended. Nothing is keyed by {@code global_seq}, so the state is
 * the same however the partitions of a partitioned journal interleave (a project is one stream, so
 * one partition); code version 1 keyed by {@code global_seq} alone, which two partitions share.
 *
 * <p>Not thread-safe (the engine applies on one thread); holds no state of its own.
 */
public final class MessagesProjection implements Projection {

    public static final String NAME = "messages";

    static final byte[] TOTAL = Keys.of('t').build();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int version() {
        return 2;
    }

    @Override
    public Set<String> eventTypes() {
        return Set.of(DomainEvents.MESSAGE_POSTED);
    }

    @Override
    public void apply(RecordedEvent event, ProjectionBatch batch) {
        MessagePosted m = DomainEvents.parse(event, MessagePosted.class);
        long version = event.streamVersion();
        byte[] message = message(m.getProject(), version);
        batch.put(message, withSeq(event.globalSeq(), m.toByteArray()));
        batch.put(Keys.of('h').string(m.getProject()).string(m.getChannel()).i64(version).build(), message);
        batch.put(Keys.of('u').string(m.getUser()).i64(ProtoTime.micros(m.getPostedAt())).string(m.getProject())
                .i64(version).build(), message);
        batch.add(projectCount(m.getProject()), 1);
        batch.add(channelCount(m.getProject(), m.getChannel()), 1);
        batch.add(userCount(m.getUser()), 1);
        batch.add(TOTAL, 1);
    }

    static byte[] message(String project, long version) {
        return Keys.of('m').string(project).i64(version).build();
    }

    /** The value of a message: its {@code global_seq} (8 bytes), then the {@code MessagePosted}. */
    private static byte[] withSeq(long globalSeq, byte[] posted) {
        byte[] value = new byte[Long.BYTES + posted.length];
        System.arraycopy(Keys.encodeLong(globalSeq), 0, value, 0, Long.BYTES);
        System.arraycopy(posted, 0, value, Long.BYTES, posted.length);
        return value;
    }

    /** The messages of a project are its 'm' entries. */
    static byte[] byProject(String project) {
        return Keys.of('m').string(project).build();
    }

    static byte[] byChannel(String project, String channel) {
        return Keys.of('h').string(project).string(channel).build();
    }

    static byte[] byUser(String user) {
        return Keys.of('u').string(user).build();
    }

    static byte[] projectCount(String project) {
        return Keys.of('P').string(project).build();
    }

    static byte[] channelCount(String project, String channel) {
        return Keys.of('H').string(project).string(channel).build();
    }

    static byte[] userCount(String user) {
        return Keys.of('U').string(user).build();
    }
}
