package dev.indelible.projections.reference;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import dev.indelible.ledger.ContentType;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.EventId;
import dev.indelible.ledger.InvalidEventException;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.RecordedEvent;
import dev.indelible.projections.proto.AccountClosed;
import dev.indelible.projections.proto.AccountEmailChanged;
import dev.indelible.projections.proto.AccountRegistered;
import dev.indelible.projections.proto.MemberJoined;
import dev.indelible.projections.proto.MessagePosted;
import dev.indelible.projections.proto.PrayerMarked;
import dev.indelible.projections.proto.PrayerSubmitted;
import dev.indelible.projections.proto.SelfieSubmitted;
import dev.indelible.projections.proto.VideoProcessed;
import dev.indelible.projections.proto.VideoRemoved;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The domain event types of the reference projections: their names, Protobuf messages, required
 * fields, validation and JSON mapping. Register them with {@link #register(LedgerConfig.Builder)} so
 * the ledger refuses a payload that does not parse or lacks a required field, naming the field.
 *
 * <p>Stateless and thread-safe.
 */
public final class DomainEvents {

    public static final String SELFIE_SUBMITTED = "selfie.submitted";
    public static final String ACCOUNT_REGISTERED = "account.registered";
    public static final String ACCOUNT_EMAIL_CHANGED = "account.email_changed";
    public static final String ACCOUNT_CLOSED = "account.closed";
    public static final String MEMBER_JOINED = "member.joined";
    public static final String PRAYER_SUBMITTED = "prayer.submitted";
    public static final String PRAYER_MARKED = "prayer.marked";
    public static final String VIDEO_PROCESSED = "video.processed";
    public static final String VIDEO_REMOVED = "video.removed";
    public static final String MESSAGE_POSTED = "message.posted";

    private static final JsonFormat.Parser JSON_PARSER = JsonFormat.parser();
    private static final JsonFormat.Printer JSON_PRINTER =
            JsonFormat.printer().preservingProtoFieldNames().omittingInsignificantWhitespace();
    private static final ObjectMapper TREE = new ObjectMapper();
    private static final BigInteger MAX_EXACT = BigInteger.ONE.shiftLeft(53);
    private static final Set<FieldDescriptor.Type> LONGS = EnumSet.of(FieldDescriptor.Type.INT64,
            FieldDescriptor.Type.SINT64, FieldDescriptor.Type.SFIXED64, FieldDescriptor.Type.UINT64, FieldDescriptor.Type.FIXED64);

    private static final Map<String, DomainType> TYPES = new TreeMap<>(Map.of(
            SELFIE_SUBMITTED, new DomainType(SelfieSubmitted.getDefaultInstance(),
                    List.of("user_id", "media_type", "file_id", "submitted_at"), List.of()),
            ACCOUNT_REGISTERED, new DomainType(AccountRegistered.getDefaultInstance(),
                    List.of("account_id", "email"), List.of()),
            ACCOUNT_EMAIL_CHANGED, new DomainType(AccountEmailChanged.getDefaultInstance(),
                    List.of("account_id", "email"), List.of()),
            ACCOUNT_CLOSED, new DomainType(AccountClosed.getDefaultInstance(), List.of("account_id"), List.of()),
            MEMBER_JOINED, new DomainType(MemberJoined.getDefaultInstance(),
                    List.of("username"), List.of("username", "invited_by")),
            PRAYER_SUBMITTED, new DomainType(PrayerSubmitted.getDefaultInstance(),
                    List.of("prayer_id", "author", "text"), List.of("author")),
            PRAYER_MARKED, new DomainType(PrayerMarked.getDefaultInstance(),
                    List.of("prayer_id", "username"), List.of("username")),
            VIDEO_PROCESSED, new DomainType(VideoProcessed.getDefaultInstance(), List.of("video_id"), List.of()),
            VIDEO_REMOVED, new DomainType(VideoRemoved.getDefaultInstance(), List.of("video_id"), List.of()),
            MESSAGE_POSTED, new DomainType(MessagePosted.getDefaultInstance(),
                    List.of("message_id", "project", "channel", "user", "posted_at"), List.of())));

    private DomainEvents() {
    }

    /**
     * Registers a validator, the rule ({@link DomainRules}) and the personal fields (marked in
     * {@code events.proto}) of every domain type, and the reservation streams {@code email-} as
     * personal stream names; returns the builder.
     */
    public static LedgerConfig.Builder register(LedgerConfig.Builder builder) {
        TYPES.forEach((type, domain) -> {
            builder.validator(type, DomainEvents::validate);
            DomainPersonalFields.register(builder, type, domain.prototype());
        });
        builder.personalStreams(Accounts.EMAIL_STREAM_PREFIX);
        return DomainRules.register(builder);
    }

    /** Every domain type name, sorted. */
    public static Set<String> types() {
        return TYPES.keySet();
    }

    public static boolean isDomainType(String type) {
        return TYPES.containsKey(type);
    }

    /** Checks a domain event: Protobuf content, parses, no unknown fields, required fields present, names normalised. */
    public static void validate(EventData event) {
        if (event.contentType() != ContentType.PROTOBUF) {
            throw new InvalidEventException("content_type",
                    "must be PROTOBUF for " + event.type() + " (map JSON with DomainEvents.fromJson)");
        }
        check(event.type(), parse(event.type(), event.payload()));
    }

    /** Parses a domain payload; an unparsable one is an {@link InvalidEventException} on {@code payload}. */
    public static Message parse(String type, byte[] payload) {
        DomainType domain = domain(type);
        try {
            return domain.prototype().getParserForType().parseFrom(payload);
        } catch (InvalidProtocolBufferException e) {
            throw new InvalidEventException("payload", "is not a valid " + type + " message: " + e.getMessage());
        }
    }

    /**
     * The payload of a recorded domain event as its message type. JSON payloads (appended by a
     * ledger without the domain validators) are read through the JSON mapping.
     */
    public static <T extends Message> T parse(RecordedEvent event, Class<T> messageType) {
        if (event.contentType() == ContentType.JSON) {
            Message.Builder builder = domain(event.type()).prototype().newBuilderForType();
            try {
                JSON_PARSER.merge(new String(event.payload(), StandardCharsets.UTF_8), builder);
            } catch (InvalidProtocolBufferException | RuntimeException e) {
                throw new InvalidEventException("payload", "global_seq " + event.globalSeq() + " is not a valid "
                        + event.type() + " in JSON: " + e.getMessage());
            }
            return messageType.cast(builder.build());
        }
        return messageType.cast(parse(event.type(), event.payload()));
    }

    /**
     * Maps a JSON object with the message's snake_case field names to a validated event with a
     * fresh id, e.g. {@code fromJson("selfie.submitted", "{\"user_id\": 7, ...}")}.
     */
    public static EventData fromJson(String type, String json) {
        Message.Builder builder = domain(type).prototype().newBuilderForType();
        try {
            JSON_PARSER.merge(json, builder);
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            throw new InvalidEventException("data", "does not match " + type + ": " + e.getMessage());
        }
        Message message = builder.build();
        check(type, message);
        return new EventData(EventId.random(), type, ContentType.PROTOBUF, message.toByteArray(), Map.of());
    }

    /** The payload as one line of JSON with the snake_case field names: see {@link #toJson(Message)}. */
    public static String toJson(String type, byte[] payload) {
        return toJson(parse(type, payload));
    }

    /**
     * A message as one line of JSON with the snake_case field names. The one rule for integers:
     * a 64-bit field whose value is at most 2^53 in magnitude is a JSON number, a larger one a
     * string (Protobuf's JSON mapping writes every 64-bit integer as a string, and a JavaScript
     * number holds 2^53 exactly, no more), so {@code "user_id": 777} comes back as posted.
     */
    public static String toJson(Message message) {
        try {
            ObjectNode tree = (ObjectNode) TREE.readTree(JSON_PRINTER.print(message));
            numbersWhereExact(message.getDescriptorForType(), tree);
            return TREE.writeValueAsString(tree);
        } catch (InvalidProtocolBufferException | JsonProcessingException e) {
            throw new IllegalStateException("cannot print " + message.getDescriptorForType().getFullName() + " as JSON", e);
        }
    }

    private static void numbersWhereExact(Descriptors.Descriptor type, ObjectNode json) {
        for (FieldDescriptor field : type.getFields()) {
            JsonNode value = json.get(field.getName());
            if (value == null || field.isMapField()) {
                continue;
            }
            if (LONGS.contains(field.getType())) {
                if (field.isRepeated() && value.isArray()) {
                    ArrayNode array = (ArrayNode) value;
                    for (int i = 0; i < array.size(); i++) {
                        array.set(i, exact(array.get(i)));
                    }
                } else {
                    json.set(field.getName(), exact(value));
                }
            } else if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE && value.isObject()
                    && !field.getMessageType().getFile().getPackage().equals("google.protobuf")) {
                numbersWhereExact(field.getMessageType(), (ObjectNode) value);
            }
        }
    }

    private static JsonNode exact(JsonNode text) {
        if (!text.isTextual()) {
            return text;
        }
        BigInteger value = new BigInteger(text.asText());
        return value.abs().compareTo(MAX_EXACT) <= 0 ? LongNode.valueOf(value.longValue()) : text;
    }

    /** An event of a domain message with a fresh random id. */
    public static EventData event(String type, Message message) {
        return new EventData(EventId.random(), type, ContentType.PROTOBUF, message.toByteArray(), Map.of());
    }

    /** An event whose id is derived from its type and a natural key, so a retry is recognised as one. */
    public static EventData event(String type, Message message, String naturalKey) {
        return new EventData(eventId(type, naturalKey), type, ContentType.PROTOBUF, message.toByteArray(), Map.of());
    }

    /** The id {@link #event(String, Message, String)} gives: a name-based UUID of the type and the natural key. */
    public static EventId eventId(String type, String naturalKey) {
        return EventId.of(UUID.nameUUIDFromBytes((type + '\0' + naturalKey).getBytes(StandardCharsets.UTF_8)));
    }

    private static DomainType domain(String type) {
        DomainType domain = TYPES.get(type);
        if (domain == null) {
            throw new InvalidEventException("type", "is not a domain type: " + type + " (known: " + TYPES.keySet() + ")");
        }
        return domain;
    }

    private static void check(String type, Message message) {
        if (!message.getUnknownFields().asMap().isEmpty()) {
            throw new InvalidEventException("payload", "has fields " + type + " does not define: numbers "
                    + message.getUnknownFields().asMap().keySet());
        }
        DomainType domain = domain(type);
        for (String name : domain.required()) {
            FieldDescriptor field = message.getDescriptorForType().findFieldByName(name);
            // A number without presence reads 0 when absent: its own check words that ("a positive id").
            boolean present = field.hasPresence() ? message.hasField(field) : !"".equals(message.getField(field));
            if (!present) {
                throw new InvalidEventException(name, "is required for " + type);
            }
        }
        for (FieldDescriptor field : message.getDescriptorForType().getFields()) {
            if (field.getJavaType() == FieldDescriptor.JavaType.STRING
                    && ((String) message.getField(field)).indexOf('\0') >= 0) {
                throw new InvalidEventException(field.getName(), "must not contain U+0000");
            }
        }
        for (String name : domain.usernames()) {
            String value = (String) message.getField(message.getDescriptorForType().findFieldByName(name));
            if (!value.isEmpty() && !value.equals(Names.normalizeUsernameOrNull(value))) {
                throw new InvalidEventException(name, "must be a normalised username (" + Names.USERNAME_RULE + "): " + value);
            }
        }
        if (message instanceof SelfieSubmitted selfie && selfie.getUserId() <= 0) {
            throw new InvalidEventException("user_id", "must be a positive id: " + selfie.getUserId());
        }
        if (type.startsWith("account.") && !type.equals(ACCOUNT_CLOSED)) {
            String email = (String) message.getField(message.getDescriptorForType().findFieldByName("email"));
            if (!email.equals(Names.normalizeEmailOrNull(email))) {
                throw new InvalidEventException("email", "must be a normalised address (" + Names.EMAIL_RULE + "): " + email);
            }
        }
    }

    private record DomainType(Message prototype, List<String> required, List<String> usernames) {
    }
}
