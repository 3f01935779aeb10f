package dev.indelible.ledger.testing;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.util.Arrays;

/**
 * The main class of every {@link ChildJvm}: {@code ExitWithParent <main class> <args...>} runs
 * that class's {@code main} after starting a daemon thread that halts this JVM once its stdin ends.
 * The parent holds the only write end of that pipe and never writes, so the end of stdin is the
 * parent's death, however it died (a killed Maven run, a SIGKILL): the kernel closes the pipe then.
 * This works where the parent's pid cannot (a child in its own PID namespace cannot see it).
 *
 * <p>Thread-safe: the watcher shares nothing.
 */
public final class ExitWithParent {
    /** The exit code of a child halted because its parent died. */
    public static final int ORPHANED = 86;

    private ExitWithParent() {
    }

    public static void main(String[] args) throws Throwable {
        Thread watcher = new Thread(() -> haltAtEndOf(System.in), "exit-with-parent");
        watcher.setDaemon(true);
        watcher.start();
        try {
            Class.forName(args[0]).getMethod("main", String[].class)
                .invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
        } catch (InvocationTargetException e) {
            throw e.getCause(); // as if that class were the main class: stack trace and exit code 1
        }
    }

    private static void haltAtEndOf(InputStream stdin) {
        byte[] ignored = new byte[64];
        try {
            while (stdin.read(ignored) >= 0) {
                // the parent writes nothing; anything read is not for the child
            }
        } catch (IOException closed) {
            // the same: the parent is gone
        }
        Runtime.getRuntime().halt(ORPHANED); // no shutdown hooks: nobody is left to wait for them
    }
}
