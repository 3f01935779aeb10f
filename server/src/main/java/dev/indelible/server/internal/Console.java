package dev.indelible.server.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.indelible.server.Token;
import dev.indelible.server.Tokens;
import dev.indelible.server.Verb;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Locale;

/**
 * The web console at {@code /console/}: its static page, and its JSON under {@code /console/api/}
 * for a signed-in admin token only. Sign-in takes an admin token once, through the same
 * {@link Access} as the APIs (so failures count toward the same rate limit), and answers with a
 * session cookie ({@code HttpOnly}, {@code SameSite=Strict}, {@code Secure} under TLS); the token
 * itself is never kept by the page. Every change (anything but GET) must come from the console's
 * own origin and carry the session's CSRF token in {@code X-CSRF-Token}. Thread-safe.
 */
final class Console implements HttpHandler, AutoCloseable {
    static final String COOKIE = "indelible_console";
    static final String CSRF_HEADER = "X-CSRF-Token";
    private static final int MAX_BODY = 16 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self';"
        + " connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private final Tokens tokens;
    private final Access access;
    private final ServerMetrics metrics;
    private final boolean tls;
    private final ConsoleSessions sessions;
    private final ConsoleAssets assets = new ConsoleAssets();
    private final ConsoleViews views;
    private final AdminOperations operations;
    private final AuditTrail audit;

    Console(Tokens tokens, Access access, ServerMetrics metrics, boolean tls, Clock clock, ConsoleViews views,
            AdminOperations operations, AuditTrail audit) {
        this.tokens = tokens;
        this.access = access;
        this.metrics = metrics;
        this.tls = tls;
        this.sessions = new ConsoleSessions(clock);
        this.views = views;
        this.operations = operations;
        this.audit = audit;
    }

    /** An answer: a body of a content type, and the session cookie to set, if any; or an operation's progress stream. */
    private record Reply(int status, String contentType, byte[] body, String cookie, AdminOperations.Streamed streamed) {
        Reply(int status, String contentType, byte[] body, String cookie) {
            this(status, contentType, body, cookie, null);
        }

        static Reply json(String body) {
            return new Reply(200, "application/json; charset=utf-8", body.getBytes(StandardCharsets.UTF_8), null);
        }

        static Reply stream(AdminOperations.Streamed operation) {
            return new Reply(200, "text/event-stream; charset=utf-8", new byte[0], null, operation);
        }

        Reply withCookie(String cookie) {
            return new Reply(status, contentType, body, cookie, streamed);
        }
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        long started = System.nanoTime();
        String route = "console unmatched";
        Reply reply;
        try {
            Request r = new Request(exchange);
            route = metricRoute(r);
            reply = route(r, r.segments.subList(1, r.segments.size()));
        } catch (ApiError e) {
            HttpApi.closeAfterRefusal(exchange); // a change refused unread, as the API's refusals
            reply = new Reply(e.status, "application/json; charset=utf-8", e.json(null).getBytes(StandardCharsets.UTF_8), null);
        } catch (RuntimeException e) {
            ApiError internal = new ApiError(500, "internal", null, "the console failed: " + e.getClass().getSimpleName());
            reply = new Reply(500, "application/json; charset=utf-8", internal.json(null).getBytes(StandardCharsets.UTF_8), null);
        }
        try {
            send(exchange, reply);
        } finally {
            exchange.close();
        }
        metrics.request(route, reply.status, System.nanoTime() - started);
    }

    @Override
    public void close() {
        views.close();
    }

    /** One metric series per console route, never per path. */
    private static String metricRoute(Request r) {
        List<String> path = r.segments;
        String method = r.method.equals("GET") || r.method.equals("POST") || r.method.equals("DELETE") ? r.method : "other";
        if (path.size() < 3 || !path.get(1).equals("api")) {
            return method + " /console/";
        }
        return method + " /console/api/" + switch (path.get(2)) {
            case "session", "overview", "events", "streams", "tokens", "verify", "projections", "audit" -> path.get(2);
            default -> "unmatched";
        };
    }

    private Reply route(Request r, List<String> path) {
        if (path.isEmpty() && !r.exchange.getRequestURI().getRawPath().endsWith("/")) {
            return new Reply(301, "text/plain; charset=utf-8", new byte[0], null); // to /console/: its pages' links are relative
        }
        if (path.isEmpty() || !path.get(0).equals("api")) {
            return asset(r, path.isEmpty() ? "" : String.join("/", path));
        }
        List<String> api = path.subList(1, path.size());
        if (api.size() == 1 && api.get(0).equals("session")) {
            return session(r);
        }
        ConsoleSessions.Session session = signedIn(r);
        Token token = liveToken(session);
        if (!r.method.equals("GET")) {
            checkChange(r, session);
        }
        if (api.size() == 1 && api.get(0).equals("overview") && r.method.equals("GET")) {
            r.onlyParams();
            return Reply.json(views.overview());
        }
        if (api.size() == 1 && api.get(0).equals("events") && r.method.equals("GET")) {
            return Reply.json(views.events(r.onlyParams("from", "limit", "stream_prefix", "type"), token));
        }
        if (api.size() == 1 && api.get(0).equals("audit") && r.method.equals("GET")) {
            access.permit(r.address(), token, Verb.ADMIN, null);
            return Reply.json(audit.json(r));
        }
        if (api.size() == 2 && api.get(0).equals("streams") && r.method.equals("GET")) {
            access.permit(r.address(), token, Verb.READ, api.get(1));
            return Reply.json(views.stream(r.onlyParams("from_version", "limit"), api.get(1)));
        }
        if (api.size() == 1 && api.get(0).equals("verify") && r.method.equals("POST")) {
            r.onlyParams();
            access.permit(r.address(), token, Verb.ADMIN, null);
            return Reply.stream(operations.verify(ConsoleViews.audit(session.tokenName())));
        }
        if (api.size() >= 2 && api.get(0).equals("projections")) {
            return projection(r, api, token, session);
        }
        if (api.size() == 1 && api.get(0).equals("tokens")) {
            r.onlyParams();
            return switch (r.method) {
                case "GET" -> Reply.json(views.tokens());
                case "POST" -> Reply.json(views.createToken(body(r), session.tokenName()));
                default -> throw methodNotAllowed(r);
            };
        }
        if (api.size() == 3 && api.get(0).equals("tokens") && api.get(2).equals("revoke") && r.method.equals("POST")) {
            r.onlyParams();
            return Reply.json(views.revokeToken(api.get(1), session.tokenName()));
        }
        throw ApiError.notFound("path", "no console route " + r.method + " " + r.exchange.getRequestURI().getRawPath());
    }

    /** {@code GET projections/<name>}: versions, quarantine, history; {@code POST .../rebuild} (streamed), {@code .../rollback}. */
    private Reply projection(Request r, List<String> api, Token token, ConsoleSessions.Session session) {
        r.onlyParams();
        String name = api.get(1);
        access.permit(r.address(), token, Verb.ADMIN, null);
        if (api.size() == 2 && r.method.equals("GET")) {
            return Reply.json(operations.versions(name));
        }
        if (api.size() != 3 || !r.method.equals("POST")) {
            throw ApiError.notFound("path", "no console route " + r.method + " " + r.exchange.getRequestURI().getRawPath());
        }
        return switch (api.get(2)) {
            case "rebuild" -> Reply.stream(operations.rebuild(name, ConsoleViews.audit(session.tokenName())));
            case "rollback" -> Reply.json(operations.rollback(name, ConsoleViews.audit(session.tokenName())));
            default -> throw ApiError.notFound("path", "projections take rebuild or rollback, not " + api.get(2));
        };
    }

    private Reply asset(Request r, String name) {
        if (!r.method.equals("GET")) {
            throw methodNotAllowed(r);
        }
        ConsoleAssets.Asset asset = assets.get(name);
        if (asset == null) {
            throw ApiError.notFound("path", "the console has no file " + name);
        }
        return new Reply(200, asset.contentType(), asset.bytes(), null);
    }

    /** {@code POST}: sign in; {@code GET}: who is signed in, and the CSRF token; {@code DELETE}: sign out. */
    private Reply session(Request r) {
        r.onlyParams();
        switch (r.method) {
            case "POST" -> {
                sameOrigin(r);
                String type = r.exchange.getRequestHeaders().getFirst("Content-Type");
                if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
                    throw ApiError.invalid("content-type", "sign in with a JSON body {\"token\": ...} (application/json)");
                }
                JsonNode token = body(r).get("token");
                if (token == null || !token.isTextual()) {
                    throw ApiError.invalid("token", "give the admin token as a string");
                }
                Token signedIn = access.authenticate(r.address(), "Bearer " + token.asText().strip());
                access.permit(r.address(), signedIn, Verb.ADMIN, null);
                ConsoleSessions.Session session = sessions.start(signedIn);
                return Reply.json(views.session(session)).withCookie(cookie(r, session.id(), ConsoleSessions.LONGEST.toSeconds()));
            }
            case "GET" -> {
                ConsoleSessions.Session session = signedIn(r);
                liveToken(session);
                return Reply.json(views.session(session));
            }
            case "DELETE" -> {
                ConsoleSessions.Session session = signedIn(r);
                checkChange(r, session);
                sessions.end(session.id());
                return Reply.json("{\"signed_out\":true}").withCookie(cookie(r, "", 0));
            }
            default -> throw methodNotAllowed(r);
        }
    }

    private ConsoleSessions.Session signedIn(Request r) {
        return sessions.use(cookieValue(r.exchange.getRequestHeaders().getFirst("Cookie")))
            .orElseThrow(() -> new ApiError(401, "unauthenticated", "session", "sign in first (the session is missing,"
                + " ended or expired)"));
    }

    /**
     * The session's token while it is valid and still an admin's (a token file restored from a
     * backup may say otherwise); anything else ends the session.
     */
    private Token liveToken(ConsoleSessions.Session session) {
        return tokens.list().stream()
            .filter(t -> t.id().equals(session.tokenId()) && !t.revoked() && t.verbs().contains(Verb.ADMIN)).findFirst()
            .orElseThrow(() -> {
                sessions.end(session.id());
                return new ApiError(401, "unauthenticated", "session", "token " + session.tokenName() + " was revoked"
                    + " (or is no longer an admin's); sign in again");
            });
    }

    /** A change must come from the console's own page: its origin, and the session's CSRF token. */
    private void checkChange(Request r, ConsoleSessions.Session session) {
        sameOrigin(r);
        if (!session.csrfMatches(r.exchange.getRequestHeaders().getFirst(CSRF_HEADER))) {
            throw new ApiError(403, "permission_denied", "x-csrf-token", "a change needs the session's CSRF token in "
                + CSRF_HEADER + " (reload the console)");
        }
    }

    /**
     * Refuses a request a browser says comes from another site: {@code Sec-Fetch-Site} other than
     * same-origin, or an {@code Origin} whose host is not this request's {@code Host} (the scheme is
     * not compared: behind a TLS proxy the server sees plain HTTP). Clients that send neither header
     * are not browsers, and need the CSRF token all the same.
     */
    private static void sameOrigin(Request r) {
        Headers h = r.exchange.getRequestHeaders();
        String site = h.getFirst("Sec-Fetch-Site");
        if (site != null && !site.equals("same-origin") && !site.equals("none")) {
            throw new ApiError(403, "permission_denied", "origin", "the console takes changes from its own page only"
                + " (Sec-Fetch-Site: " + site + ")");
        }
        String origin = h.getFirst("Origin");
        if (origin == null) {
            return;
        }
        String host;
        try {
            host = URI.create(origin).getRawAuthority();
        } catch (IllegalArgumentException e) {
            host = null;
        }
        if (host == null || !host.equalsIgnoreCase(h.getFirst("Host"))) {
            throw new ApiError(403, "permission_denied", "origin", "the console takes changes from its own page only"
                + " (Origin: " + origin + ")");
        }
    }

    private String cookie(Request r, String value, long maxAgeSeconds) {
        boolean secure = tls || "https".equalsIgnoreCase(r.exchange.getRequestHeaders().getFirst("X-Forwarded-Proto"));
        return COOKIE + "=" + value + "; Path=/console; Max-Age=" + maxAgeSeconds + "; HttpOnly; SameSite=Strict"
            + (secure ? "; Secure" : "");
    }

    static String cookieValue(String header) {
        if (header == null) {
            return null;
        }
        for (String part : header.split(";")) {
            String pair = part.strip();
            if (pair.startsWith(COOKIE + "=")) {
                return pair.substring(COOKIE.length() + 1);
            }
        }
        return null;
    }

    private static JsonNode body(Request r) {
        JsonNode node;
        try {
            node = JSON.readTree(r.body(MAX_BODY));
        } catch (JsonProcessingException e) {
            throw ApiError.invalid("body", "is not JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw ApiError.invalid("body", "must be a JSON object");
        }
        return node;
    }

    private static ApiError methodNotAllowed(Request r) {
        return new ApiError(405, "method_not_allowed", "method", r.method + " is not allowed on "
            + r.exchange.getRequestURI().getRawPath());
    }

    private static void send(HttpExchange exchange, Reply reply) throws IOException {
        Headers h = exchange.getResponseHeaders();
        h.set("Content-Type", reply.contentType);
        h.set("Cache-Control", "no-store");
        h.set("X-Content-Type-Options", "nosniff");
        h.set("Referrer-Policy", "no-referrer");
        h.set("X-Frame-Options", "DENY");
        h.set("Content-Security-Policy", CSP);
        if (reply.status == 301) {
            h.set("Location", "/console/");
        }
        if (reply.cookie != null) {
            h.set("Set-Cookie", reply.cookie);
        }
        if (reply.streamed != null) {
            try (OperationProgress progress = OperationProgress.open(exchange)) {
                reply.streamed.run(progress);
            }
            return;
        }
        exchange.sendResponseHeaders(reply.status, reply.body.length == 0 ? -1 : reply.body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(reply.body);
        }
    }
}
