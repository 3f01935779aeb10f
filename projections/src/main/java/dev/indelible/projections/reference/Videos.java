package dev.indelible.projections.reference;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.util.JsonFormat;
import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.InvalidEventException;
import dev.indelible.ledger.Ledger;
import dev.indelible.projections.proto.VideoProcessed;
import dev.indelible.projections.proto.VideoRemoved;

/**
 * Records video processing results. The journal is the only store: {@code results.json} and its
 * base64 copy are exports of the {@code videos} projection, so nothing needs backups, emergency
 * files or a restore that deletes first.
 *
 * <p>Thread-safe.
 */
public final class Videos {

    private final Ledger ledger;

    public Videos(Ledger ledger) {
        this.ledger = ledger;
    }

    public static String streamFor(String videoId) {
        return "video-" + videoId;
    }

    /** Records the latest result of a video; {@code resultsJson} is any JSON object, kept as is. */
    public Result recordProcessed(String videoId, String url, String title, String resultsJson) {
        Require.text("video_id", videoId);
        Struct.Builder results = Struct.newBuilder();
        if (resultsJson != null && !resultsJson.isBlank()) {
            if (!resultsJson.strip().startsWith("{")) {
                throw new InvalidEventException("results", "must be a JSON object");
            }
            try {
                JsonFormat.parser().merge(resultsJson, results);
            } catch (InvalidProtocolBufferException | RuntimeException e) {
                throw new InvalidEventException("results", "is not valid JSON: " + e.getMessage());
            }
        }
        VideoProcessed processed = VideoProcessed.newBuilder().setVideoId(videoId)
                .setUrl(url == null ? "" : url).setTitle(title == null ? "" : title).setResults(results).build();
        AppendResult result = DomainRules.append(ledger, DomainEvents.event(DomainEvents.VIDEO_PROCESSED, processed));
        return new Done(((AppendResult.Appended) result).firstGlobalSeq());
    }

    /** Removes a video from the read model; its history stays in the journal. */
    public Result remove(String videoId) {
        Require.text("video_id", videoId);
        AppendResult result = DomainRules.append(ledger,
                DomainEvents.event(DomainEvents.VIDEO_REMOVED, VideoRemoved.newBuilder().setVideoId(videoId).build()));
        return result instanceof AppendResult.Appended a ? new Done(a.firstGlobalSeq()) : new UnknownVideo(videoId);
    }

    /** What a call did. */
    public sealed interface Result permits Done, UnknownVideo {
    }

    public record Done(long globalSeq) implements Result {
    }

    public record UnknownVideo(String videoId) implements Result {
    }
}
