package dev.indelible.cli;

import dev.indelible.projections.reference.Accounts;
import dev.indelible.projections.reference.DomainEvents;
import dev.indelible.projections.reference.Names;
import dev.indelible.projections.reference.Selfies;
import dev.indelible.projections.reference.Videos;
import dev.indelible.server.internal.EventInput;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.util.JsonFormat;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.InvalidEventException;
import dev.indelible.projections.proto.AccountRegistered;
import dev.indelible.projections.proto.SelfieSubmitted;
import dev.indelible.projections.proto.VideoProcessed;
import com.google.protobuf.Timestamp;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Reads the incident apps' JSON files as a stream of events, one record at a time, so memory does
 * not grow with the file. A bad record throws {@link InvalidEventException} naming it and the
 * field; {@link ImportCommand} reads a file once to check every record before it appends any.
 * Event ids derive from content, so importing a file again appends only what is not there yet.
 *
 * <p>Stateless; each call reads its own stream.
 */
final class LegacyFiles {
    private static final ObjectMapper JSON = new ObjectMapper();

    private LegacyFiles() {
    }

    /** Receives a file's records in file order: an event to append, or a record left out (with why). */
    interface Records {
        void event(EventInput input);

        void skipped(String why);
    }

    /** {@code selfie_checks.json}: an array of {user_id, media_type, file_id, timestamp}. */
    static void selfies(InputStream file, Records out) {
        read(file, p -> {
            if (p.nextToken() != JsonToken.START_ARRAY) {
                throw new InvalidEventException("file", "must be a JSON array of selfie records");
            }
            entries(p, false, (key, node) -> out.event(selfie(object(node, "record " + key), "record " + key)));
        });
    }

    private static EventInput selfie(JsonNode r, String record) {
        long userId = userId(r.get("user_id"), record);
        SelfieSubmitted selfie = SelfieSubmitted.newBuilder().setUserId(userId)
            .setMediaType(text(r, "media_type", record)).setFileId(text(r, "file_id", record))
            .setSubmittedAt(timestamp(r.get("timestamp"), record + ".timestamp")).build();
        return new EventInput(Selfies.streamFor(userId), ExpectedVersion.ANY,
            DomainEvents.event(DomainEvents.SELFIE_SUBMITTED, selfie, userId + "/" + selfie.getFileId()));
    }

    /**
     * {@code users.json}: an array, or an object keyed by id, of records with an email. Keeps the
     * first record of each address; the set of addresses seen is the one thing held per record.
     */
    static void accounts(InputStream file, Records out) {
        read(file, p -> {
            JsonToken root = p.nextToken();
            if (root != JsonToken.START_ARRAY && root != JsonToken.START_OBJECT) {
                throw new InvalidEventException("file", "must be a JSON array or object of user records");
            }
            boolean keyed = root == JsonToken.START_OBJECT;
            Set<String> emails = new HashSet<>();
            entries(p, keyed, (key, node) -> {
                String record = "record " + key;
                JsonNode r = object(node, record);
                String email = Names.normalizeEmailOrNull(text(r, "email", record));
                if (email == null) {
                    throw new InvalidEventException(record + ".email", "is not an email address (" + Names.EMAIL_RULE + ")");
                }
                if (!emails.add(email)) {
                    out.skipped(record + ": " + email + " was registered before in this file (the incident's re-registration)");
                    return;
                }
                String id = r.hasNonNull("id") ? r.get("id").asText() : keyed ? key
                    : UUID.nameUUIDFromBytes(email.getBytes(StandardCharsets.UTF_8)).toString();
                out.event(account(r, id, email));
            });
        });
    }

    private static EventInput account(JsonNode r, String id, String email) {
        AccountRegistered registered = AccountRegistered.newBuilder().setAccountId(id).setEmail(email)
            .setDisplayName(firstText(r, "display_name", "name", "username")).build();
        EventData event = DomainEvents.event(DomainEvents.ACCOUNT_REGISTERED, registered, "import/" + email + "/" + id);
        if (r.hasNonNull("created_at")) {
            event = event.withMetadata(Map.of("legacy_created_at", r.get("created_at").asText()));
        }
        return new EventInput(Accounts.emailStream(email), ExpectedVersion.NO_STREAM, event);
    }

    /** {@code results.json} (an object keyed by video id) or {@code results.json.b64} (the same in base64). */
    static void videos(InputStream file, Records out) {
        InputStream json = Base64Json.decodeUnlessObject(file);
        read(json, p -> {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new InvalidEventException("file", "must be a JSON object keyed by video id");
            }
            entries(p, true, (key, node) -> out.event(video(key, object(node, "record " + key))));
            Base64Json.checkRest(json);
        });
    }

    private static EventInput video(String videoId, JsonNode r) {
        Struct.Builder results = Struct.newBuilder();
        try {
            JsonFormat.parser().merge(r.toString(), results);
        } catch (InvalidProtocolBufferException e) {
            throw new InvalidEventException("record " + videoId, "cannot be kept as a results object: " + e.getMessage());
        }
        VideoProcessed video = VideoProcessed.newBuilder().setVideoId(videoId)
            .setUrl(r.path("url").asText("")).setTitle(r.path("title").asText("")).setResults(results).build();
        String contentKey = videoId + "/" + UUID.nameUUIDFromBytes(video.toByteArray());
        return new EventInput(Videos.streamFor(videoId), ExpectedVersion.ANY,
            DomainEvents.event(DomainEvents.VIDEO_PROCESSED, video, contentKey));
    }

    @FunctionalInterface
    private interface Body {
        void read(JsonParser parser) throws IOException;
    }

    @FunctionalInterface
    private interface Entry {
        void accept(String key, JsonNode value);
    }

    /** Runs {@code body} over the file's tokens; what is after the first value is never read. */
    private static void read(InputStream file, Body body) {
        try (JsonParser parser = JSON.getFactory().createParser(file)) {
            body.read(parser);
        } catch (JsonProcessingException e) {
            throw new InvalidEventException("file", "is not valid JSON: " + e.getOriginalMessage()
                + " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr());
        } catch (IOException e) {
            throw new InvalidEventException("file", "cannot be read: " + e.getMessage());
        }
    }

    /** The members of the array or object just opened, one tree at a time; keys are indexes in an array. */
    private static void entries(JsonParser p, boolean keyed, Entry entry) throws IOException {
        for (int i = 0; ; i++) {
            JsonToken token = p.nextToken();
            if (token == JsonToken.END_ARRAY || token == JsonToken.END_OBJECT) {
                return;
            }
            String key = keyed ? p.currentName() : Integer.toString(i);
            if (keyed) {
                p.nextToken();
            }
            entry.accept(key, JSON.readTree(p));
        }
    }

    private static JsonNode object(JsonNode node, String record) {
        if (node == null || !node.isObject()) {
            throw new InvalidEventException(record, "must be a JSON object");
        }
        return node;
    }

    private static String text(JsonNode r, String field, String record) {
        JsonNode value = r.get(field);
        if (value == null || value.isNull()) {
            throw new InvalidEventException(record + "." + field, "is required");
        }
        if (!value.isTextual() || value.asText().isBlank()) {
            throw new InvalidEventException(record + "." + field, "must be a non-empty string, was " + value);
        }
        return value.asText();
    }

    private static String firstText(JsonNode r, String... fields) {
        for (String field : fields) {
            if (r.hasNonNull(field) && r.get(field).isTextual()) {
                return r.get(field).asText().strip();
            }
        }
        return "";
    }

    private static long userId(JsonNode value, String record) {
        if (value != null && value.isIntegralNumber() && value.asLong() > 0) {
            return value.asLong();
        }
        if (value != null && value.isTextual() && value.asText().matches("[1-9][0-9]{0,18}")) {
            return Long.parseLong(value.asText());
        }
        throw new InvalidEventException(record + ".user_id", value == null ? "is required"
            : "must be a positive integer (or a string of digits), was " + value);
    }

    /** ISO-8601 text (UTC when it has no offset) or a number of seconds since the epoch. */
    private static Timestamp timestamp(JsonNode value, String field) {
        if (value == null || value.isNull()) {
            throw new InvalidEventException(field, "is required");
        }
        Instant at;
        if (value.isNumber()) {
            double seconds = value.asDouble();
            at = Instant.ofEpochSecond((long) Math.floor(seconds), Math.round((seconds - Math.floor(seconds)) * 1e9) % 1_000_000_000L);
        } else if (value.isTextual()) {
            at = instant(value.asText(), field);
        } else {
            throw new InvalidEventException(field, "must be ISO-8601 text or epoch seconds, was " + value);
        }
        return Timestamp.newBuilder().setSeconds(at.getEpochSecond()).setNanos(at.getNano()).build();
    }

    private static Instant instant(String text, String field) {
        try {
            // Both offset forms need a Z or a sign after the T: without one only a local time can
            // parse, and trying those first costs two exceptions per record of a large file.
            return hasOffset(text) ? Instant.parse(text) : LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException notInstant) {
            try {
                return OffsetDateTime.parse(text).toInstant();
            } catch (DateTimeParseException notOffset) {
                try {
                    return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
                } catch (DateTimeParseException e) {
                    throw new InvalidEventException(field, "is not an ISO-8601 time: " + text);
                }
            }
        }
    }

    private static boolean hasOffset(String text) {
        int t = Math.max(text.indexOf('T'), text.indexOf('t'));
        return t < 0 || text.indexOf('Z', t) >= 0 || text.indexOf('z', t) >= 0 || text.indexOf('+', t) >= 0
            || text.indexOf('-', t) >= 0;
    }
}
