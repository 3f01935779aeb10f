package dev.indelible.benchmarks;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.function.IntToLongFunction;

/**
 * Two workloads run in alternation, round by round in one JVM, each weighed as process CPU (every
 * thread: GC, RocksDB's, the JIT) per unit of work, so that a machine shared with other work weighs
 * on both alike: for {@link PersonalDataAppendCpu} and {@link PersonalDataRebuildCpu}. Prints each
 * round and the median of the rounds' ratios (clear CPU / sealed CPU: the sealed rate as a fraction
 * of the clear one's). Not thread-safe; for a command.
 */
final class InterleavedCpu {
    private static final int WARM_UP_ROUNDS = 2;
    private static final com.sun.management.OperatingSystemMXBean OS =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private InterleavedCpu() {
    }

    /**
     * @param sealed round number to units of work done (appends, events)
     * @return the median ratio after the warm-up rounds
     */
    static double compare(String unit, int rounds, IntToLongFunction sealed, IntToLongFunction clear) {
        double[] ratios = new double[rounds - WARM_UP_ROUNDS];
        for (int round = 0; round < rounds; round++) {
            double sealedCpu = cpuPerUnit(sealed, round);
            double clearCpu = cpuPerUnit(clear, round);
            System.out.printf("round %d: sealed %.2f us/%s, clear %.2f us/%s, ratio %.3f%s%n", round, sealedCpu, unit, clearCpu,
                unit, clearCpu / sealedCpu, round < WARM_UP_ROUNDS ? " (warm-up)" : "");
            if (round >= WARM_UP_ROUNDS) {
                ratios[round - WARM_UP_ROUNDS] = clearCpu / sealedCpu;
            }
        }
        Arrays.sort(ratios);
        double median = ratios[ratios.length / 2];
        System.out.printf("median ratio (clear CPU / sealed CPU) over %d rounds: %.3f (min %.3f, max %.3f)%n", ratios.length,
            median, ratios[0], ratios[ratios.length - 1]);
        return median;
    }

    private static double cpuPerUnit(IntToLongFunction work, int round) {
        long before = OS.getProcessCpuTime();
        long units = work.applyAsLong(round);
        return (OS.getProcessCpuTime() - before) / 1e3 / units;
    }
}
