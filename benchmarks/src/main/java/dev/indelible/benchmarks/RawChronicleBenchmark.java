package dev.indelible.benchmarks;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/** Chronicle Queue with nothing on top, one appender per thread: the ceiling the ledger's overhead is measured against. */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
public class RawChronicleBenchmark {
    private Path dir;
    ChronicleQueue queue;

    @Setup(Level.Trial)
    public void open() {
        dir = Workload.tempDir("chronicle");
        queue = SingleChronicleQueueBuilder.binary(dir).build();
    }

    @TearDown(Level.Trial)
    public void close() {
        queue.close();
        Workload.delete(dir);
    }

    @State(Scope.Thread)
    public static class Appender {
        ExcerptAppender appender;

        @Setup(Level.Trial)
        public void create(RawChronicleBenchmark queue) {
            appender = queue.queue.createAppender();
        }

        @TearDown(Level.Trial)
        public void close() {
            appender.close();
        }
    }

    @Benchmark
    public void rawChronicleAppend(Appender appender, ThreadAllocation allocation) {
        allocation.appendingThreadCalls++;
        appender.appender.writeBytes(b -> b.write(Workload.RECORD));
    }

    /**
     * As many bytes as the ledger's record of {@code indelibleAppend}'s event (the payload, its
     * envelope and checksums): the ratio at equal record size, which says how much of the ledger's
     * distance from {@link #rawChronicleAppend} is its work and how much is writing more bytes.
     */
    @Benchmark
    public void rawChronicleAppendLedgerSized(Appender appender) {
        appender.appender.writeBytes(b -> b.write(Workload.LEDGER_SIZED_RECORD));
    }
}
