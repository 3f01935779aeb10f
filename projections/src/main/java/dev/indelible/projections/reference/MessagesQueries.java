package dev.indelible.projections.reference;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.indelible.projections.Keys;
import dev.indelible.projections.ProjectionEngine;
import dev.indelible.projections.ProjectionException;
import dev.indelible.projections.ProjectionState;
import dev.indelible.projections.internal.ProtoTime;
import dev.indelible.projections.proto.MessagePosted;

import java.time.Instant;
import java.util.ArrayList;
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

    /** Up to {@code limit} messages of a project, oldest first. */
    public List<Message> byProject(String project, int limit) {
        return engine.read(MessagesProjection.NAME, s -> list(s, MessagesProjection.byProject(project), limit));
    }

    public List<Message> byChannel(String project, String channel, int limit) {
        return engine.read(MessagesProjection.NAME, s -> list(s, MessagesProjection.byChannel(project, channel), limit));
    }

    public List<Message> byUser(String user, int limit) {
        return engine.read(MessagesProjection.NAME, s -> list(s, MessagesProjection.byUser(user), limit));
    }

    /** A page of an index: the global_seq is the last 8 bytes of each index key. */
    static List<Message> list(ProjectionState state, byte[] prefix, int limit) {
        List<Message> messages = new ArrayList<>();
        state.scan(prefix, (key, value) -> {
            long seq = Keys.trailingLong(key);
            messages.add(toMessage(state.get(MessagesProjection.message(seq)), seq));
            return messages.size() < limit;
        });
        return messages;
    }

    private static Message toMessage(byte[] value, long seq) {
        try {
            MessagePosted m = MessagePosted.parseFrom(value);
            return new Message(m.getMessageId(), m.getProject(), m.getChannel(), m.getUser(),
                    ProtoTime.instant(m.getPostedAt()), seq);
        } catch (InvalidProtocolBufferException | NullPointerException e) {
            throw new ProjectionException("messages has no readable message at global_seq " + seq, e);
        }
    }

    public record Message(String messageId, String project, String channel, String user, Instant postedAt,
                          long globalSeq) {
    }
}
