package dev.indelible.benchmarks;

import java.lang.management.ManagementFactory;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * The benchmark JVM's CPU time (every thread, GC included) per operation of each iteration:
 * {@code -prof dev.indelible.benchmarks.ProcessCpuProfiler}. Where a server and its clients run in
 * the fork, as in {@link ServerBenchmark}, this is what an append costs the machine, which a
 * loaded machine leaves as it is while it shifts throughput. Not thread-safe; JMH calls it from one thread.
 */
public final class ProcessCpuProfiler implements InternalProfiler {
    private final com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private long startNanos;

    @Override
    public String getDescription() {
        return "process CPU time per operation (us/op)";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmark, IterationParams iteration) {
        startNanos = os.getProcessCpuTime();
    }

    @Override
    public Collection<? extends Result> afterIteration(BenchmarkParams benchmark, IterationParams iteration, IterationResult result) {
        long ops = Math.max(1, result.getMetadata().getAllOps());
        double micros = (os.getProcessCpuTime() - startNanos) / 1e3;
        return List.of(new ScalarResult("cpu.time.norm", micros / ops, "us/op", AggregationPolicy.AVG));
    }
}
