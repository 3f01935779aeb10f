package dev.indelible.cli;

import static dev.indelible.ledger.testing.Await.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.indelible.ledger.testing.ChildJvm;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo's producer processes never outlive the demo: a killed demo leaves no bot appending forever. */
@Tag("system")
class ChildProcessTest {
    @TempDir
    Path tmp;

    @Test
    void shouldStopAnEndlessProducerWhenItsParentIsKilled() throws Exception {
        ProcessHandle producer = null;
        try (ChildJvm demo = ChildJvm.start(Demo.class, tmp.resolve("demo.err"), tmp.resolve("data").toString())) {
            demo.awaitLines(1, 60);
            long pid = Long.parseLong(demo.lines().get(0).substring("PRODUCING ".length()));
            producer = ProcessHandle.of(pid).orElseThrow();
            assertTrue(producer.isAlive(), "the producer appends while the demo runs");

            demo.kill9();

            ProcessHandle orphan = producer;
            await(() -> !orphan.isAlive(), Duration.ofSeconds(30), () -> "producer " + pid + " still running");
        } finally {
            Optional.ofNullable(producer).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    /** Starts a producer that appends until killed and prints {@code PRODUCING <pid>} once it acknowledged one. */
    public static final class Demo {
        public static void main(String[] args) throws Exception {
            ChildProcess producer = new ChildProcess("demo-producer", "--data", args[0], "--name", "orphan", "--count", "-1");
            await(() -> producer.linesSoFar() > 0, Duration.ofSeconds(60));
            System.out.println("PRODUCING " + producer.pid());
            while (true) {
                LockSupport.park();
            }
        }
    }
}
