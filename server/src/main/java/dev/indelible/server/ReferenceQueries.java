package dev.indelible.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.indelible.ledger.PersonalData;
import dev.indelible.projections.ProjectionEngine;
import dev.indelible.projections.reference.AccountsQueries;
import dev.indelible.projections.reference.CommunityQueries;
import dev.indelible.projections.reference.MessagesQueries;
import dev.indelible.projections.reference.SelfiesQueries;
import dev.indelible.projections.reference.VideosQueries;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The reference projections' typed queries by name and text parameters, as rows of fields: what
 * {@code indelible query} prints and {@code GET /projections/{name}} answers. Parameters:
 * selfies {@code user, from, to}; accounts {@code email | id}; community {@code member}; videos
 * {@code [id]}; messages {@code project [channel] | user, limit}. A missing or malformed parameter
 * is an {@link IllegalArgumentException} naming it.
 */
public final class ReferenceQueries {
    /** The projections these queries read. */
    public static final List<String> NAMES = List.of("selfies", "accounts", "community", "videos", "messages");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final PersonalData personal;
    private final ProjectionEngine engine;
    private final Params q;

    public ReferenceQueries(ProjectionEngine engine, PersonalData personal, String projection, Map<String, String> params) {
        this.engine = engine;
        this.personal = personal;
        this.q = new Params(projection, params);
    }

    /** The query parameters a projection's query takes; an unknown projection takes none. */
    public static List<String> parameters(String projection) {
        return switch (projection) {
            case "selfies" -> List.of("user", "from", "to");
            case "accounts" -> List.of("email", "id");
            case "community" -> List.of("member");
            case "videos" -> List.of("id");
            case "messages" -> List.of("project", "channel", "user", "limit");
            default -> List.of();
        };
    }

    /**
     * The streams a query's answer is built from, as stream names or {@code prefix*} patterns: a
     * token must be allowed to read all of them to query it, since the answer shows what they hold.
     */
    public static List<String> streamsRead(String projection, Map<String, String> params) {
        return switch (projection) {
            case "selfies" -> List.of(params.containsKey("user") ? "selfies-user-" + params.get("user") : "selfies-user-*");
            case "accounts" -> List.of("email-*", "account-*");
            case "community" -> List.of("member-*", "prayer-*");
            case "videos" -> List.of(params.containsKey("id") ? "video-" + params.get("id") : "video-*");
            case "messages" -> List.of(params.containsKey("project") && !params.containsKey("user")
                ? "messages-" + params.get("project") : "messages-*");
            default -> throw new UnknownProjectionException(projection);
        };
    }

    public List<Row> rows() {
        return switch (q.projection) {
            case "selfies" -> selfies();
            case "accounts" -> accounts();
            case "community" -> community();
            case "videos" -> videos();
            case "messages" -> messages();
            default -> throw new UnknownProjectionException(q.projection);
        };
    }

    /** No such reference projection. */
    public static final class UnknownProjectionException extends IllegalArgumentException {
        public UnknownProjectionException(String name) {
            super("projection: no reference projection named '" + name + "' (known: " + String.join(", ", NAMES) + ")");
        }
    }

    private static final class Params {
        final String projection;
        final String user;
        final Instant from;
        final Instant to;
        final String email;
        final String id;
        final String member;
        final String project;
        final String channel;
        final int limit;

        Params(String projection, Map<String, String> p) {
            this.projection = projection;
            user = p.get("user");
            from = instant("from", p.get("from"), Instant.EPOCH);
            to = instant("to", p.get("to"), Instant.parse("9999-12-31T23:59:59Z"));
            email = p.get("email");
            id = p.get("id");
            member = p.get("member");
            project = p.get("project");
            channel = p.get("channel");
            limit = limit(p.get("limit"));
        }

        private static Instant instant(String name, String value, Instant absent) {
            if (value == null) {
                return absent;
            }
            try {
                return Instant.parse(value);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException(name + " must be an ISO-8601 instant such as 2025-11-04T12:07:00Z, was '" + value + "'");
            }
        }

        private static int limit(String value) {
            if (value == null) {
                return 100;
            }
            try {
                int limit = Integer.parseInt(value);
                if (limit > 0 && limit <= 10_000) {
                    return limit;
                }
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw new IllegalArgumentException("limit must be 1 to 10000, was '" + value + "'");
        }
    }

    private List<Row> selfies() {
        long userId = parseUser(required("user", q.user));
        return new SelfiesQueries(engine).byUser(userId, q.from, q.to).stream().map(s -> row(
            "user_id", s.userId(), "media_type", s.mediaType(), "file_id", s.fileId(),
            "submitted_at", s.submittedAt().toString(), "global_seq", s.globalSeq())).toList();
    }

    private List<Row> accounts() {
        AccountsQueries accounts = new AccountsQueries(engine, personal);
        Optional<AccountsQueries.Account> found = q.email != null ? accounts.byEmail(q.email)
            : accounts.byId(required("email or id", q.id));
        return found.stream().map(a -> row("account_id", a.accountId(), "email", a.email(),
            "display_name", a.displayName(), "closed", a.closed(), "registered_seq", a.registeredSeq())).toList();
    }

    private List<Row> community() {
        CommunityQueries community = new CommunityQueries(engine);
        String name = required("member", q.member);
        List<Row> rows = new ArrayList<>();
        community.member(name).ifPresent(m -> rows.add(row("username", m.username(), "invited_by", m.invitedBy(),
            "depth", m.depth(), "joined_seq", m.joinedSeq(),
            "invite_chain", community.inviteChain(name).stream().map(CommunityQueries.Member::username).toList(),
            "invitees", community.invitees(name))));
        community.prayersBy(name).forEach(p -> rows.add(row("prayer_id", p.prayerId(), "author", p.author(),
            "text", p.text(), "marked_by", community.marks(p.prayerId()).stream().map(CommunityQueries.Mark::username).toList())));
        return rows;
    }

    private List<Row> videos() {
        VideosQueries videos = new VideosQueries(engine);
        List<VideosQueries.Video> found = q.id != null ? videos.latest(q.id).stream().toList() : videos.all();
        return found.stream().map(v -> row("video_id", v.videoId(), "url", v.url(), "title", v.title(),
            "results", rawJson(v.resultsJson()))).toList();
    }

    private List<Row> messages() {
        MessagesQueries messages = new MessagesQueries(engine);
        List<MessagesQueries.Message> found;
        if (q.project != null) {
            found = q.channel != null ? messages.byChannel(q.project, q.channel, q.limit) : messages.byProject(q.project, q.limit);
        } else if (q.user != null) {
            found = messages.byUser(q.user, q.limit);
        } else {
            throw new IllegalArgumentException("project (and channel) or user is required for messages");
        }
        return found.stream().map(m -> row("message_id", m.messageId(), "project", m.project(), "channel", m.channel(),
            "user", m.user(), "posted_at", m.postedAt().toString(), "global_seq", m.globalSeq())).toList();
    }

    private static long parseUser(String user) {
        try {
            return Long.parseLong(user);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("user must be a numeric user id for selfies, was '" + user + "'");
        }
    }

    private String required(String option, String value) {
        if (value == null) {
            throw new IllegalArgumentException(option + " is required for " + q.projection);
        }
        return value;
    }

    private static Object rawJson(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            return json;
        }
    }

    private static Row row(Object... keysAndValues) {
        Map<String, Object> fields = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            fields.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return new Row(fields);
    }

    /** One result: the same fields as JSON or as text. */
    public record Row(Map<String, Object> fields) {
        public String json() {
            try {
                return JSON.writeValueAsString(fields);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }

        public String text() {
            StringBuilder line = new StringBuilder();
            fields.forEach((k, v) -> line.append(line.length() == 0 ? "" : "  ").append(k).append('=').append(v));
            return line.toString();
        }
    }
}
