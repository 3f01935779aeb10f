package dev.indelible.projections.reference;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.indelible.projections.ProjectionEngine;
import dev.indelible.projections.ProjectionException;
import dev.indelible.projections.ProjectionState;
import dev.indelible.projections.proto.VideoProcessed;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Typed queries of the {@code videos} projection, and the legacy exports derived from it: the
 * journal is the only store, {@code results.json} and {@code results.json.b64} are views of it,
 * byte-identical for equal journals.
 *
 * <p>Export format: one JSON object keyed by video id; each value is the video's results object
 * with {@code title} and {@code url} added (when set). Keys are sorted at every level, two-space
 * indentation, UTF-8, a final newline. Numbers integral and within ±2^53 print without a fraction
 * ({@code 5}, not {@code 5.0}): Protobuf's Struct holds every number as a double.
 *
 * <p>Thread-safe.
 */
public final class VideosQueries {

    private static final double EXACT_INTEGERS = 9_007_199_254_740_992d;
    private static final ObjectWriter EXPORT_WRITER = new ObjectMapper().writer(new DefaultPrettyPrinter()
            .withSeparators(Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER))
            .withObjectIndenter(new DefaultIndenter("  ", "\n"))
            .withArrayIndenter(new DefaultIndenter("  ", "\n")));

    private static final ObjectWriter COMPACT_WRITER = new ObjectMapper().writer();

    private final ProjectionEngine engine;

    public VideosQueries(ProjectionEngine engine) {
        this.engine = engine;
    }

    public Optional<Video> latest(String videoId) {
        return engine.read(VideosProjection.NAME, s -> Optional.ofNullable(s.get(VideosProjection.video(videoId)))
                .map(VideosQueries::toVideo));
    }

    /** Every video, by id. */
    public List<Video> all() {
        return engine.read(VideosProjection.NAME, VideosQueries::all);
    }

    public long count() {
        return engine.read(VideosProjection.NAME, s -> s.getLong(VideosProjection.COUNT));
    }

    /** {@code results.json} as the legacy app wrote it, from one snapshot. */
    public byte[] exportResultsJson() {
        return engine.read(VideosProjection.NAME, VideosQueries::resultsJson);
    }

    /** {@code results.json.b64}: the base64 of {@link #exportResultsJson()}, from the same kind of snapshot. */
    public byte[] exportResultsJsonBase64() {
        return Base64.getEncoder().encode(exportResultsJson());
    }

    static List<Video> all(ProjectionState state) {
        List<Video> videos = new ArrayList<>();
        state.scan(VideosProjection.ALL, (key, value) -> videos.add(toVideo(value)));
        return videos;
    }

    static byte[] resultsJson(ProjectionState state) {
        Map<String, Object> export = new TreeMap<>();
        state.scan(VideosProjection.ALL, (key, value) -> {
            VideoProcessed v = parse(value);
            Map<String, Object> entry = toJava(v.getResults());
            if (!v.getTitle().isEmpty()) {
                entry.put("title", v.getTitle());
            }
            if (!v.getUrl().isEmpty()) {
                entry.put("url", v.getUrl());
            }
            export.put(v.getVideoId(), entry);
            return true;
        });
        try {
            return (EXPORT_WRITER.writeValueAsString(export) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new ProjectionException("cannot write results.json", e);
        }
    }

    private static Map<String, Object> toJava(Struct struct) {
        Map<String, Object> map = new TreeMap<>();
        struct.getFieldsMap().forEach((k, v) -> map.put(k, toJava(v)));
        return map;
    }

    private static Object toJava(Value value) {
        return switch (value.getKindCase()) {
            case STRUCT_VALUE -> toJava(value.getStructValue());
            case LIST_VALUE -> toJava(value.getListValue());
            case STRING_VALUE -> value.getStringValue();
            case BOOL_VALUE -> value.getBoolValue();
            case NUMBER_VALUE -> number(value.getNumberValue());
            default -> null;
        };
    }

    private static List<Object> toJava(ListValue list) {
        List<Object> items = new ArrayList<>(list.getValuesCount());
        list.getValuesList().forEach(v -> items.add(toJava(v)));
        return items;
    }

    private static Object number(double d) {
        return d == Math.rint(d) && Math.abs(d) <= EXACT_INTEGERS ? (Object) (long) d : (Object) d;
    }

    private static Video toVideo(byte[] value) {
        VideoProcessed v = parse(value);
        try {
            return new Video(v.getVideoId(), v.getUrl(), v.getTitle(), COMPACT_WRITER.writeValueAsString(toJava(v.getResults())));
        } catch (JsonProcessingException e) {
            throw new ProjectionException("videos holds unprintable results for " + v.getVideoId(), e);
        }
    }

    private static VideoProcessed parse(byte[] value) {
        try {
            return VideoProcessed.parseFrom(value);
        } catch (InvalidProtocolBufferException e) {
            throw new ProjectionException("videos holds an unreadable entry", e);
        }
    }

    public record Video(String videoId, String url, String title, String resultsJson) {
    }
}
