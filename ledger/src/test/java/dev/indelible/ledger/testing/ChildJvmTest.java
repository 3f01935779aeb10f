package dev.indelible.ledger.testing;

import static dev.indelible.ledger.testing.Await.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A child JVM never outlives the JVM that started it: orphaned writers must not spin after a killed Maven run. */
@Tag("system")
class ChildJvmTest {
    @TempDir
    Path tmp;

    @Test
    void shouldExitWhenItsParentIsKilled() throws Exception {
        ProcessHandle grandchild = null;
        try (ChildJvm parent = ChildJvm.start(Parent.class, tmp.resolve("parent.err"), tmp.resolve("child.err").toString())) {
            parent.awaitLines(1, 60);
            long pid = Long.parseLong(parent.lines().get(0).substring("CHILD ".length()));
            grandchild = ProcessHandle.of(pid).orElseThrow();
            assertTrue(grandchild.isAlive(), "the child runs while its parent does");

            parent.kill9();

            ProcessHandle child = grandchild;
            await(() -> !child.isAlive(), Duration.ofSeconds(30), () -> "child " + pid + " still running");
        } finally {
            Optional.ofNullable(grandchild).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    /** Starts a child that would run forever and prints {@code CHILD <pid>}; then waits to be killed. */
    public static final class Parent {
        public static void main(String[] args) throws Exception {
            ChildJvm child = ChildJvm.start(Forever.class, Path.of(args[0]));
            System.out.println("CHILD " + child.pid());
            while (true) {
                LockSupport.park();
            }
        }
    }

    /** Runs until killed, as a writer appending with no end does. */
    public static final class Forever {
        public static void main(String[] args) {
            while (true) {
                LockSupport.park();
            }
        }
    }
}
