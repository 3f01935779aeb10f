package dev.indelible.benchmarks;

import java.nio.file.Path;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Smoke mode: every benchmark runs once, in this JVM, for a moment, on tiny data, so a change that
 * breaks one is caught in CI. It checks that each ran, never how fast (numbers come from run.sh).
 */
class BenchmarksSmokeTest {
    private static final Set<String> METHODS = Set.of("indelibleAppend", "indelibleAppendAsync", "indelibleAppendExpected",
        "rawChronicleAppend", "rawChronicleAppendLedgerSized", "jsonReadModifyWrite", "jsonLockedAtomic", "sqliteAutocommit", "sqliteBatch100",
        "rocksdbPut", "rocksdbPutSync", "rocksdbBatchNoWal", "appendLatency", "replayDecode", "rebuildSelfies",
        "rebuildAll", "reopen", "serverAppend", "serverAppendAsync", "serverTrivial", "asyncCompletion", "callerEvent",
        "indelibleAppendReceipt", "twoEventAppend", "twoPartTransaction", "appendSealed", "appendClear",
        "rebuildAccountsSealed", "rebuildAccountsClear");

    @TempDir
    Path tmp;

    @Test
    void shouldRunEveryBenchmarkOnce() throws RunnerException {
        System.setProperty("indelible.bench.dir", tmp.toString());
        ChainedOptionsBuilder options = new OptionsBuilder()
            .include("dev\\.indelible\\.benchmarks\\..*")
            .forks(0)
            .warmupIterations(0)
            .measurementIterations(1)
            .measurementTime(TimeValue.milliseconds(100))
            .param("events", "2000")
            .param("records", "10")
            .shouldFailOnError(true);
        if (System.getProperty("indelible.postgres.url") == null) {
            options.exclude("PostgresBenchmark");
        }
        Collection<RunResult> results = new Runner(options.build()).run();
        Set<String> ran = new TreeSet<>();
        for (RunResult r : results) {
            String benchmark = r.getParams().getBenchmark();
            ran.add(benchmark.substring(benchmark.lastIndexOf('.') + 1));
        }
        assertEquals(new TreeSet<>(METHODS), ran);
    }
}
