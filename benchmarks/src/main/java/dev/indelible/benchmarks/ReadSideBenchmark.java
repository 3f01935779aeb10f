package dev.indelible.benchmarks;

import dev.indelible.ledger.EventReader;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.projections.OfflineProjections;
import dev.indelible.projections.RebuildResult;
import dev.indelible.projections.reference.DomainEvents;
import dev.indelible.projections.reference.ReferenceProjections;
import dev.indelible.projections.reference.SelfiesProjection;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The read side, one operation per iteration ({@code SingleShotTime}): scan and decode a journal,
 * rebuild projections from it. Events per second are {@code events} divided by the score.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
public class ReadSideBenchmark {

    @Param({"1000000", "4000000"})
    public long events;

    private Path journal;
    private Path projections;
    private Ledger ledger;

    @Setup(Level.Trial)
    public void open() {
        journal = Journals.mixed(events);
        projections = Workload.tempDir("projections");
        ledger = Ledger.open(journal, DomainEvents.register(LedgerConfig.builder()).build());
    }

    @TearDown(Level.Trial)
    public void close() {
        ledger.close();
        Workload.delete(projections);
    }

    /** Every envelope read, checksummed and decoded into a RecordedEvent. */
    @Benchmark
    public long replayDecode() {
        long[] count = {0};
        try (EventReader reader = ledger.openReader(0)) {
            while (reader.poll(e -> count[0] += e.payload().length > 0 ? 1 : 0, 10_000) > 0) {
                // keep reading
            }
        }
        return count[0];
    }

    @Benchmark
    public Object rebuildSelfies() {
        return OfflineProjections.rebuild(ledger, projections, new SelfiesProjection(), (p, t) -> { });
    }

    /** All five reference projections, from one read of the journal (as {@code indelible replay --all}). */
    @Benchmark
    public long rebuildAll() {
        long applied = 0;
        for (RebuildResult result : OfflineProjections.rebuild(ledger, projections, ReferenceProjections.all(), (p, t) -> { })) {
            applied += result.applied();
        }
        return applied;
    }
}
