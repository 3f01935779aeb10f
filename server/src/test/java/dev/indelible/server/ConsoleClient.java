package dev.indelible.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The web console's requests as a browser on its own page makes them, from a test: the session
 * cookie kept from sign-in, the CSRF token sent on changes; each part can be left out or forged.
 * Not thread-safe.
 */
final class ConsoleClient {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final String base;
    String cookie;
    String csrf;

    ConsoleClient(int port) {
        this.base = "http://127.0.0.1:" + port;
    }

    record Reply(int status, String body, HttpResponse<String> response) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON: " + body, e);
            }
        }

        /** A streamed operation's server-sent events, in order: each {@code event:} name and its JSON {@code data:}. */
        List<Map.Entry<String, JsonNode>> events() {
            return serverSentEvents(body);
        }

        /** The last event of a stream, which must be {@code result}: the operation's outcome. */
        JsonNode result() {
            List<Map.Entry<String, JsonNode>> events = events();
            Map.Entry<String, JsonNode> last = events.get(events.size() - 1);
            if (!last.getKey().equals("result")) {
                throw new AssertionError("the operation ended with " + last + ", not a result: " + body);
            }
            return last.getValue();
        }

        String header(String name) {
            return response.headers().firstValue(name).orElse(null);
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    /** An operation's answer as server-sent events: each {@code event:} name and its JSON {@code data:}, in order. */
    static List<Map.Entry<String, JsonNode>> serverSentEvents(String body) {
        List<Map.Entry<String, JsonNode>> events = new ArrayList<>();
        for (String block : body.split("\n\n")) {
            String event = null;
            String data = null;
            for (String line : block.split("\n")) {
                if (line.startsWith("event: ")) {
                    event = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    data = line.substring(6);
                }
            }
            if (event != null) {
                try {
                    events.add(Map.entry(event, JSON.readTree(data)));
                } catch (IOException e) {
                    throw new UncheckedIOException("not JSON: " + data, e);
                }
            }
        }
        return events;
    }

    /** Signs in; keeps the cookie and the CSRF token when it worked. */
    Reply signIn(String token) {
        Reply r = send("POST", "/console/api/session", "{\"token\":\"" + token + "\"}", Map.of("Content-Type", "application/json"));
        if (r.status() == 200) {
            String setCookie = r.header("Set-Cookie");
            cookie = setCookie.substring(0, setCookie.indexOf(';'));
            csrf = r.json().get("csrf").asText();
        }
        return r;
    }

    Reply get(String path) {
        return send("GET", path, null, Map.of());
    }

    /** A change with the session's CSRF token. */
    Reply change(String method, String path, String body) {
        return send(method, path, body, Map.of("X-CSRF-Token", csrf, "Content-Type", "application/json"));
    }

    Reply send(String method, String path, String body, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
            .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (cookie != null) {
            request.header("Cookie", cookie);
        }
        headers.forEach(request::header);
        try {
            HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(response.statusCode(), response.body(), response);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
