package dev.indelible.server.internal;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The parts of a request the routes need, parsed once. */
final class Request {
    private static final Pattern DURATION = Pattern.compile("(\\d{1,6})(ms|s)?");

    final HttpExchange exchange;
    final String method;
    final List<String> segments = new ArrayList<>();
    final Map<String, String> query = new LinkedHashMap<>();
    private Runnable slot;

    Request(HttpExchange exchange) {
        this.exchange = exchange;
        this.method = exchange.getRequestMethod();
        for (String part : exchange.getRequestURI().getRawPath().split("/")) {
            if (!part.isEmpty()) {
                segments.add(decode(part, "path"));
            }
        }
        String raw = exchange.getRequestURI().getRawQuery();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    query.put(decode(pair.substring(0, eq), "query"), decode(pair.substring(eq + 1), "query"));
                }
            }
        }
    }

    /**
     * The route's template, one of a fixed set whatever the request says: it names a metric
     * series, and a series per distinct path would let anyone without a token fill the heap.
     */
    String route() {
        String template = switch (segments.size()) {
            case 0 -> "/";
            case 1 -> switch (segments.get(0)) {
                case "events", "status", "metrics", "append", "subscribe" -> "/" + segments.get(0);
                default -> null;
            };
            case 2 -> switch (segments.get(0)) {
                case "streams" -> "/streams/{stream}";
                case "projections" -> "/projections/{name}";
                case "health" -> segments.get(1).equals("live") || segments.get(1).equals("ready")
                    ? "/health/" + segments.get(1) : null;
                case "admin" -> adminRoute();
                default -> null;
            };
            default -> segments.get(0).equals("admin") ? adminRoute() : null;
        };
        if (template == null) {
            return "unmatched";
        }
        return (method.equals("GET") || method.equals("POST") ? method : "other") + " " + template;
    }

    /** {@code /admin/...} routes, one series each: {@code /admin/projections/{name}/rebuild}, never a name. */
    private String adminRoute() {
        String second = segments.size() > 1 ? segments.get(1) : "";
        return switch (segments.size()) {
            case 2 -> second.equals("verify") || second.equals("audit") || second.equals("erase") ? "/admin/" + second : null;
            case 3 -> second.equals("projections") ? "/admin/projections/{name}" : null;
            case 4 -> second.equals("projections") && (segments.get(3).equals("rebuild") || segments.get(3).equals("rollback"))
                ? "/admin/projections/{name}/" + segments.get(3) : null;
            default -> null;
        };
    }

    /** Takes the token's slot for this request ({@link TokenSlots}), once however often the route authorizes. */
    void holdSlot(Supplier<Runnable> take) {
        if (slot == null) {
            slot = take.get();
        }
    }

    void releaseSlot() {
        if (slot != null) {
            slot.run();
            slot = null;
        }
    }

    InetAddress address() {
        return exchange.getRemoteAddress().getAddress();
    }

    String body(int max) {
        String length = exchange.getRequestHeaders().getFirst("Content-Length");
        if (length != null) {
            try {
                if (Long.parseLong(length) > max) {
                    throw tooLarge(max);
                }
            } catch (NumberFormatException e) {
                throw ApiError.invalid("content-length", "is not a number: " + length);
            }
        }
        try (InputStream in = exchange.getRequestBody()) {
            byte[] bytes = in.readNBytes(max + 1);
            if (bytes.length > max) {
                throw tooLarge(max);
            }
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw ApiError.invalid("body", "is not valid UTF-8: " + e.getMessage());
        } catch (IOException e) {
            throw ApiError.invalid("body", "could not be read: " + e.getMessage());
        }
    }

    /** Refuses (400) a query parameter the route does not take: a typo must not read from 0. */
    Request onlyParams(String... names) {
        List<String> known = List.of(names);
        for (String name : query.keySet()) {
            if (!known.contains(name)) {
                throw ApiError.invalid(name, "is not a parameter of " + route() + (known.isEmpty() ? " (it takes none)"
                    : " (it takes " + String.join(", ", known) + ")"));
            }
        }
        return this;
    }

    long longParam(String name, long absent) {
        String value = query.get(name);
        return value == null ? absent : number(name, value);
    }

    /** {@code value} as a number >= 0, else 400 naming {@code name}. */
    static long number(String name, String value) {
        try {
            long parsed = Long.parseLong(value);
            if (parsed >= 0) {
                return parsed;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw ApiError.invalid(name, "must be a number >= 0, was '" + value + "'");
    }

    /** {@code wait}: {@code 30s}, {@code 500ms} or seconds; at most a minute. */
    long waitMillis() {
        String value = query.get("wait");
        if (value == null) {
            return 0;
        }
        Matcher m = DURATION.matcher(value);
        long millis = m.matches() ? Long.parseLong(m.group(1)) * ("ms".equals(m.group(2)) ? 1 : 1000) : -1;
        if (millis < 0 || millis > 60_000) {
            throw ApiError.invalid("wait", "must be a duration of at most 60s, such as 30s or 500ms, was '" + value + "'");
        }
        return millis;
    }

    int limit(int max) {
        long limit = longParam("limit", 100);
        if (limit < 1 || limit > max) {
            throw ApiError.invalid("limit", "must be 1 to " + max + ", was " + limit);
        }
        return (int) limit;
    }

    private static ApiError tooLarge(int max) {
        return new ApiError(413, "request_too_large", "body", "the body is over the limit of " + max
            + " bytes (--max-request-bytes)");
    }

    private static String decode(String text, String field) {
        try {
            return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ApiError.invalid(field, "has a malformed %-escape: " + text);
        }
    }
}
