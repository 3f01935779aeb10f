package dev.indelible.projections.reference;

import dev.indelible.ledger.RecordedEvent;
import dev.indelible.projections.Keys;
import dev.indelible.projections.Projection;
import dev.indelible.projections.ProjectionBatch;
import dev.indelible.projections.proto.VideoProcessed;
import dev.indelible.projections.proto.VideoRemoved;

import java.util.Set;

/**
 * The {@code videos} reference projection: the latest result of every video. Queries and the
 * {@code results.json} exports are in {@link VideosQueries}.
 *
 * <pre>{@code
 * 'v' video_id -> VideoProcessed (the latest)
 * 'n'          -> count of videos
 * }</pre>
 *
 * <p>Not thread-safe (the engine applies on one thread); holds no state of its own.
 */
public final class VideosProjection implements Projection {

    public static final String NAME = "videos";

    static final byte[] COUNT = Keys.of('n').build();
    static final byte[] ALL = Keys.of('v').build();

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
        return Set.of(DomainEvents.VIDEO_PROCESSED, DomainEvents.VIDEO_REMOVED);
    }

    @Override
    public void apply(RecordedEvent event, ProjectionBatch batch) {
        if (event.type().equals(DomainEvents.VIDEO_PROCESSED)) {
            VideoProcessed video = DomainEvents.parse(event, VideoProcessed.class);
            byte[] key = video(video.getVideoId());
            if (batch.get(key) == null) {
                batch.add(COUNT, 1);
            }
            batch.put(key, video.toByteArray());
        } else {
            byte[] key = video(DomainEvents.parse(event, VideoRemoved.class).getVideoId());
            if (batch.get(key) != null) {
                batch.delete(key);
                batch.add(COUNT, -1);
            }
        }
    }

    static byte[] video(String videoId) {
        return Keys.of('v').string(videoId).build();
    }
}
