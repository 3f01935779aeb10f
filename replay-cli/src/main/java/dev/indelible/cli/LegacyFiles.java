package dev.indelible.cli;

import dev.indelible.server.EventInput;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.util.JsonFormat;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.InvalidEventException;
import dev.indelible.projections.Accounts;
import dev.indelible.projections.DomainEvents;
import dev.indelible.projections.Names;
import dev.indelible.projections.Selfies;
import dev.indelible.projections.Videos;
import dev.indelible.projections.proto.AccountRegistered;
import dev.indelible.projections.proto.SelfieSubmitted;
import dev.indelible.projections.proto.VideoProcessed;
import com.google.protobuf.Timestamp;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Reads the incident apps' JSON files into events, all or nothing: every record is checked before
 * anything is appended, and the first bad one refuses the file, naming the record and the field.
 * Event ids derive from content, so importing a file twice appends nothing the second time.
 */
final class LegacyFiles {
    private static final ObjectMapper JSON = new ObjectMapper();

    private LegacyFiles() {
    }

    /** What a file holds: the events to append, and the records left out (with why). */
    record Parsed(List<EventInput> events, List<String> skipped) {
    }

    /** {@code selfie_checks.json}: an array of {user_id, media_type, file_id, timestamp}. */
    static Parsed selfies(byte[] file) {
        JsonNode root = parse(file);
        if (!root.isArray()) {
            throw new InvalidEventException("file", "must be a JSON array of selfie records");
        }
        List<EventInput> events = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) {
            String record = "record " + i;
            JsonNode r = object(root.get(i), record);
            long userId = userId(r.get("user_id"), record);
            SelfieSubmitted selfie = SelfieSubmitted.newBuilder().setUserId(userId)
                .setMediaType(text(r, "media_type", record)).setFileId(text(r, "file_id", record))
                .setSubmittedAt(timestamp(r.get("timestamp"), record + ".timestamp")).build();
            events.add(new EventInput(Selfies.streamFor(userId), ExpectedVersion.ANY,
                DomainEvents.event(DomainEvents.SELFIE_SUBMITTED, selfie, userId + "/" + selfie.getFileId())));
        }
        return new Parsed(events, List.of());
    }

    /** {@code users.json}: an array, or an object keyed by id, of records with an email. */
    static Parsed accounts(byte[] file) {
        JsonNode root = parse(file);
        if (!root.isArray() && !root.isObject()) {
            throw new InvalidEventException("file", "must be a JSON array or object of user records");
        }
        List<EventInput> events = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        Set<String> emails = new HashSet<>();
        Iterator<Map.Entry<String, JsonNode>> records = root.isObject() ? root.fields()
            : indexed(root);
        while (records.hasNext()) {
            Map.Entry<String, JsonNode> entry = records.next();
            String record = "record " + entry.getKey();
            JsonNode r = object(entry.getValue(), record);
            String email = Names.normalizeEmailOrNull(text(r, "email", record));
            if (email == null) {
                throw new InvalidEventException(record + ".email", "is not an email address (" + Names.EMAIL_RULE + ")");
            }
            String id = r.hasNonNull("id") ? r.get("id").asText() : root.isObject() ? entry.getKey()
                : UUID.nameUUIDFromBytes(email.getBytes(StandardCharsets.UTF_8)).toString();
            if (!emails.add(email)) {
                skipped.add(record + ": " + email + " was registered before in this file (the incident's re-registration)");
                continue;
            }
            AccountRegistered registered = AccountRegistered.newBuilder().setAccountId(id).setEmail(email)
                .setDisplayName(firstText(r, "display_name", "name", "username")).build();
            EventData event = DomainEvents.event(DomainEvents.ACCOUNT_REGISTERED, registered, "import/" + email + "/" + id);
            if (r.hasNonNull("created_at")) {
                event = event.withMetadata(Map.of("legacy_created_at", r.get("created_at").asText()));
            }
            events.add(new EventInput(Accounts.emailStream(email), ExpectedVersion.NO_STREAM, event));
        }
        return new Parsed(events, skipped);
    }

    /** {@code results.json} (an object keyed by video id) or {@code results.json.b64} (the same in base64). */
    static Parsed videos(byte[] file) {
        String text = new String(file, StandardCharsets.UTF_8).strip();
        if (!text.startsWith("{")) {
            try {
                file = Base64.getMimeDecoder().decode(text);
            } catch (IllegalArgumentException e) {
                throw new InvalidEventException("file", "is neither a JSON object nor base64 of one: " + e.getMessage());
            }
        }
        JsonNode root = parse(file);
        if (!root.isObject()) {
            throw new InvalidEventException("file", "must be a JSON object keyed by video id");
        }
        List<EventInput> events = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            String record = "record " + entry.getKey();
            JsonNode r = object(entry.getValue(), record);
            Struct.Builder results = Struct.newBuilder();
            try {
                JsonFormat.parser().merge(r.toString(), results);
            } catch (InvalidProtocolBufferException e) {
                throw new InvalidEventException(record, "cannot be kept as a results object: " + e.getMessage());
            }
            VideoProcessed video = VideoProcessed.newBuilder().setVideoId(entry.getKey())
                .setUrl(r.path("url").asText("")).setTitle(r.path("title").asText("")).setResults(results).build();
            String contentKey = entry.getKey() + "/" + UUID.nameUUIDFromBytes(video.toByteArray());
            events.add(new EventInput(Videos.streamFor(entry.getKey()), ExpectedVersion.ANY,
                DomainEvents.event(DomainEvents.VIDEO_PROCESSED, video, contentKey)));
        }
        return new Parsed(events, List.of());
    }

    private static JsonNode parse(byte[] file) {
        try {
            JsonNode root = JSON.readTree(file);
            if (root == null) {
                throw new InvalidEventException("file", "is empty");
            }
            return root;
        } catch (JsonProcessingException e) {
            throw new InvalidEventException("file", "is not valid JSON: " + e.getOriginalMessage()
                + " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr());
        } catch (java.io.IOException e) {
            throw new InvalidEventException("file", "cannot be read: " + e.getMessage());
        }
    }

    private static Iterator<Map.Entry<String, JsonNode>> indexed(JsonNode array) {
        List<Map.Entry<String, JsonNode>> entries = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            entries.add(Map.entry(Integer.toString(i), array.get(i)));
        }
        return entries.iterator();
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
            return Instant.parse(text);
        } catch (DateTimeParseException notInstant) {
            try {
                return java.time.OffsetDateTime.parse(text).toInstant();
            } catch (DateTimeParseException notOffset) {
                try {
                    return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
                } catch (DateTimeParseException e) {
                    throw new InvalidEventException(field, "is not an ISO-8601 time: " + text);
                }
            }
        }
    }
}
