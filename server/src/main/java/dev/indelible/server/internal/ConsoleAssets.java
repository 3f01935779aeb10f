package dev.indelible.server.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The console's static files, read from the jar once at start: plain HTML, CSS and JavaScript
 * modules, no build step and nothing fetched from elsewhere. Only the files named here are served,
 * so no path a request makes up reaches the class path. Thread-safe (immutable).
 */
final class ConsoleAssets {
    static final List<String> FILES = List.of("index.html", "console.css", "console.js", "api.js", "overview.js",
        "events.js", "tokens.js", "projections.js", "verify.js", "audit.js");
    private static final String ROOT = "/dev/indelible/server/console/";

    /** A file's bytes and its content type. */
    record Asset(byte[] bytes, String contentType) {
    }

    private final Map<String, Asset> byName = new HashMap<>();

    ConsoleAssets() {
        for (String name : FILES) {
            try (InputStream in = ConsoleAssets.class.getResourceAsStream(ROOT + name)) {
                if (in == null) {
                    throw new IllegalStateException("the console's " + name + " is missing from the jar");
                }
                byName.put(name, new Asset(in.readAllBytes(), contentType(name)));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the console's " + name, e);
            }
        }
    }

    /** The asset of that name ({@code ""}: the page), or null. */
    Asset get(String name) {
        return byName.get(name.isEmpty() ? "index.html" : name);
    }

    private static String contentType(String name) {
        if (name.endsWith(".html")) {
            return "text/html; charset=utf-8";
        }
        return name.endsWith(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8";
    }
}
