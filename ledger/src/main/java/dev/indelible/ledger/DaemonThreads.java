package dev.indelible.ledger;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one way Indelible's modules make background threads: daemon threads, so a thread or pool
 * someone forgot to close never keeps the JVM alive.
 *
 * <p>Thread-safe.
 */
public final class DaemonThreads {
    private DaemonThreads() {
    }

    /** A daemon thread named {@code name} that runs {@code task} once started. */
    public static Thread unstarted(String name, Runnable task) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        return thread;
    }

    /** A daemon thread named {@code name}, already running {@code task}. */
    public static Thread start(String name, Runnable task) {
        Thread thread = unstarted(name, task);
        thread.start();
        return thread;
    }

    /** Daemon threads all named {@code name}: for a pool of one thread. */
    public static ThreadFactory named(String name) {
        return task -> unstarted(name, task);
    }

    /** Daemon threads named {@code prefix-1}, {@code prefix-2}, ... */
    public static ThreadFactory numbered(String prefix) {
        AtomicInteger created = new AtomicInteger();
        return task -> unstarted(prefix + "-" + created.incrementAndGet(), task);
    }
}
