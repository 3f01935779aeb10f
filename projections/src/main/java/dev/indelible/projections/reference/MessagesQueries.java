package dev.indelible.projections.reference;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.indelible.projections.Keys;
import dev.indelible.projections.ProjectionEngine;
import dev.indelible.projections.ProjectionException;
import dev.indelible.projections.ProjectionState;
import dev.indelible.projections.internal.ProtoTime;
import dev.indelible.projections.proto.MessagePosted;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Typed queries of the {@code messages} projection; each runs on one consistent snapshot, so a
 * count and a list read together always agree, and a rebuild never shows an empty dashboard.
 *
 * <p>Thread-safe.
 */
public final class MessagesQueries {

    private final ProjectionEngine engine;

    public MessagesQueries(ProjectionEngine engine) {
        this.engine = engine;
    }

    public long countByProject(String project) {
        return engine.read(MessagesProjection.NAME, s -> s.getLong(MessagesProjection.projectCount(project)));
    }

    public long countByChannel(String project, String channel) {
        return engine.read(MessagesProjection.NAME, s -> s.getLong(MessagesProjection.channelCount(project, channel)));
    }

    public long countByUser(String user) {
        return engine.read(MessagesProjection.NAME, s -> s.getLong(MessagesProjection.userCount(user)));
    }

    public long total() {
        return engine.read(MessagesProjection.NAME, s -> s.getLong(MessagesProjection.TOTAL));
    }

    /** Up to {@code limit} messages of a project, in the order they were appended to it. */
    public List<Message> byProject(String project, int limit) {
        return engine.read(MessagesProjection.NAME, s -> list(s, MessagesProjection.byProject(project), limit));
    }

    /** Up to {@code limit} messages of a project's channel, in the order they were appended to the project. */
    public List<Message> byChannel(String project, String channel, int limit) {
        return engine.read(MessagesProjection.NAME, s -> list(s, MessagesProjection.byChannel(project, channel), limit));
    }

    /**
     * Up to {@code limit} messages of a user over every project, oldest {@code posted_at} first; at one
     * time, by project name, then in each project's order. Not the journal's order: over a
     * partitioned journal projects are in different partitions, which have no order between them.
     */
    public List<Message> byUser(String user, int limit) {
        return engine.read(MessagesProjection.NAME, s -> list(s, MessagesProjection.byUser(user), limit));
    }

    /** A page of an index: the messages themselves ('m'), or an index whose values are their 'm' keys. */
    static List<Message> list(ProjectionState state, byte[] prefix, int limit) {
        List<Message> messages = new ArrayList<>();
        boolean direct = prefix[0] == 'm';
        state.scan(prefix, (key, value) -> {
            messages.add(toMessage(direct ? key : value, direct ? value : state.get(value)));
            return messages.size() < limit;
        });
        return messages;
    }

    private static Message toMessage(byte[] key, byte[] value) {
        try {
            MessagePosted m = MessagePosted.parseFrom(ByteBuffer.wrap(value, Long.BYTES, value.length - Long.BYTES));
            return new Message(m.getMessageId(), m.getProject(), m.getChannel(), m.getUser(),
                    ProtoTime.instant(m.getPostedAt()), Keys.decodeLong(Arrays.copyOf(value, Long.BYTES)));
        } catch (InvalidProtocolBufferException | NullPointerException | IndexOutOfBoundsException e) {
            throw new ProjectionException("messages has no readable message at " + Keys.parse(key, "sl"), e);
        }
    }

    /** @param globalSeq its position in the journal; over a partitioned journal, in its project's partition */
    public record Message(String messageId, String project, String channel, String user, Instant postedAt,
                          long globalSeq) {
    }
}
