package dev.indelible.projections.internal;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Thread factories for the engine's pools: daemon threads, so a forgotten pool never keeps the JVM alive. */
final class DaemonThreads {
    private DaemonThreads() {
    }

    /** Threads named {@code prefix-1}, {@code prefix-2}, ... */
    static ThreadFactory named(String prefix) {
        AtomicInteger created = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, prefix + "-" + created.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
