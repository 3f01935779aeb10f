package dev.indelible.projections.reference;

import dev.indelible.ledger.RecordedEvent;
import dev.indelible.projections.Keys;
import dev.indelible.projections.Projection;
import dev.indelible.projections.ProjectionBatch;
import dev.indelible.projections.proto.MessagePosted;

import java.util.Set;

/**
 * The {@code messages} reference projection: the indexes the dashboards read, by project, channel
 * and user, with counts. Queries are in {@link MessagesQueries}.
 *
 * <pre>{@code
 * 'm' global_seq                   -> MessagePosted
 * 'p' project global_seq           -> (empty)     'P' project         -> count
 * 'h' project channel global_seq   -> (empty)     'H' project channel -> count
 * 'u' user global_seq              -> (empty)     'U' user            -> count
 * 't'                              -> total
 * }</pre>
 *
 * <p>Not thread-safe (the engine applies on one thread); holds no state of its own.
 */
public final class MessagesProjection implements Projection {

    public static final String NAME = "messages";

    static final byte[] TOTAL = Keys.of('t').build();
    private static final byte[] EMPTY = new byte[0];

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int version() {
        return 1;
    }

    @Override
    public Set<String> eventTypes() {
        return Set.of(DomainEvents.MESSAGE_POSTED);
    }

    @Override
    public void apply(RecordedEvent event, ProjectionBatch batch) {
        MessagePosted m = DomainEvents.parse(event, MessagePosted.class);
        long seq = event.globalSeq();
        batch.put(Keys.of('m').i64(seq).build(), m.toByteArray());
        batch.put(Keys.of('p').string(m.getProject()).i64(seq).build(), EMPTY);
        batch.put(Keys.of('h').string(m.getProject()).string(m.getChannel()).i64(seq).build(), EMPTY);
        batch.put(Keys.of('u').string(m.getUser()).i64(seq).build(), EMPTY);
        batch.add(projectCount(m.getProject()), 1);
        batch.add(channelCount(m.getProject(), m.getChannel()), 1);
        batch.add(userCount(m.getUser()), 1);
        batch.add(TOTAL, 1);
    }

    static byte[] message(long seq) {
        return Keys.of('m').i64(seq).build();
    }

    static byte[] byProject(String project) {
        return Keys.of('p').string(project).build();
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
