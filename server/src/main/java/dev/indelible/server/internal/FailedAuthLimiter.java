package dev.indelible.server.internal;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts failed authentications per client address in one-minute windows; past the limit the
 * address is refused (429) until its window ends, without its token being checked.
 * Thread-safe.
 */
final class FailedAuthLimiter {
    private static final long WINDOW_NANOS = 60_000_000_000L;

    private final int limit;
    private final ConcurrentHashMap<InetAddress, Window> windows = new ConcurrentHashMap<>();

    FailedAuthLimiter(int limit) {
        this.limit = limit;
    }

    boolean blocked(InetAddress address) {
        Window w = windows.get(address);
        return w != null && w.current(System.nanoTime()) && w.failures >= limit;
    }

    void failed(InetAddress address) {
        long now = System.nanoTime();
        windows.compute(address, (a, w) -> {
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
