package dev.indelible.benchmarks;

import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.Ledger;
import dev.indelible.projections.OfflineProjections;
import dev.indelible.projections.reference.AccountsProjection;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
 * What sealing personal fields costs, each pair in one run (the goal: at least 0.7x): an
 * account registration (a new data subject each time, so a new key written to the key store, the
 * fields sealed, the reservation hashed) against the same registration on a ledger that seals
 * nothing; and a rebuild of the {@code accounts} projection over a journal of sealed registrations
 * against one in clear.
 */
@State(Scope.Benchmark)
public class PersonalDataBenchmark {

    @Param({"200000"})
    public long events;

    private final AtomicLong next = new AtomicLong(1L << 40);
    private Path sealedDir;
    private Path clearDir;
    private Ledger sealed;
    private Ledger clear;
    private Ledger sealedJournal;
    private Ledger clearJournal;
    private Path projections;

    @Setup(Level.Trial)
    public void open() {
        sealedDir = Workload.tempDir("personal-sealed");
        clearDir = Workload.tempDir("personal-clear");
        sealed = Ledger.open(sealedDir, Journals.accountsConfig(true));
        clear = Ledger.open(clearDir, Journals.accountsConfig(false));
        sealedJournal = Ledger.open(Journals.accounts(events, true), Journals.accountsConfig(true));
        clearJournal = Ledger.open(Journals.accounts(events, false), Journals.accountsConfig(false));
        projections = Workload.tempDir("personal-projections");
    }

    @TearDown(Level.Trial)
    public void close() {
        sealed.close();
        clear.close();
        sealedJournal.close();
        clearJournal.close();
        Workload.delete(sealedDir);
        Workload.delete(clearDir);
        Workload.delete(projections);
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public Object appendSealed() {
        return register(sealed);
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public Object appendClear() {
        return register(clear);
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public Object rebuildAccountsSealed() {
        return OfflineProjections.rebuild(sealedJournal, projections.resolve("sealed"), new AccountsProjection(), (p, t) -> { });
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public Object rebuildAccountsClear() {
        return OfflineProjections.rebuild(clearJournal, projections.resolve("clear"), new AccountsProjection(), (p, t) -> { });
    }

    private Object register(Ledger ledger) {
        long i = next.incrementAndGet();
        AppendResult result = ledger.append("email-user" + i + "@example.com", ExpectedVersion.NO_STREAM,
            Journals.registration(i));
        if (!(result instanceof AppendResult.Appended)) {
            throw new IllegalStateException("refused: " + result);
        }
        return result;
    }
}
