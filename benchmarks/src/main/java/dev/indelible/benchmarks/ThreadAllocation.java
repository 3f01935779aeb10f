package dev.indelible.benchmarks;

import java.lang.management.ManagementFactory;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What the benchmark's own thread allocates in an iteration, and its calls, as JMH secondary
 * results ({@code appendingThreadBytes}, {@code appendingThreadCalls}). {@code -prof gc} counts
 * every thread of the process, so its figure per call also holds the ledger's background threads
 * (checkpoints, the id table's growth) and JMH's own, spread over however many calls the iteration
 * made; this counts only what a caller of the method pays.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.EVENTS)
public class ThreadAllocation {
    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private long thread;
    private long startBytes;
    /** Counted by the benchmark method, once per call. */
    public long appendingThreadCalls;
    public long appendingThreadBytes;

    @Setup(Level.Iteration)
    public void start() {
        thread = Thread.currentThread().getId();
        appendingThreadCalls = 0;
        appendingThreadBytes = 0;
        startBytes = THREADS.getThreadAllocatedBytes(thread);
    }

    @TearDown(Level.Iteration)
    public void stop() {
        appendingThreadBytes = THREADS.getThreadAllocatedBytes(thread) - startBytes;
    }
}
