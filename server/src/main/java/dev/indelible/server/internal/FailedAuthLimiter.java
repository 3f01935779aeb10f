package dev.indelible.server.internal;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts failed authentications per key (a client address, a token id) in one-minute windows;
 * past the limit further failures of that key are refused (429) until its window ends.
 * Thread-safe.
 */
final class FailedAuthLimiter {
    private static final long WINDOW_NANOS = 60_000_000_000L;

    private final int limit;
    private final ConcurrentHashMap<Object, Window> windows = new ConcurrentHashMap<>();

    FailedAuthLimiter(int limit) {
        this.limit = limit;
    }

    boolean blocked(Object key) {
        Window w = windows.get(key);
        return w != null && w.current(System.nanoTime()) && w.failures >= limit;
    }

    void failed(Object key) {
        long now = System.nanoTime();
        windows.compute(key, (a, w) -> {
            Window next = w != null && w.current(now) ? w : new Window(now);
            next.failures++;
            return next;
        });
        if (windows.size() > 10_000) {
            windows.values().removeIf(w -> !w.current(now));
        }
    }

    private static final class Window {
        final long started;
        int failures;

        Window(long started) {
            this.started = started;
        }

        boolean current(long now) {
            return now - started < WINDOW_NANOS;
        }
    }
}
