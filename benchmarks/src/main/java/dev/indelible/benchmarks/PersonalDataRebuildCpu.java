package dev.indelible.benchmarks;

import dev.indelible.ledger.Ledger;
import dev.indelible.projections.OfflineProjections;
import dev.indelible.projections.reference.AccountsProjection;
import java.nio.file.Path;

/**
 * The {@code accounts} rebuild over sealed registrations against the same over registrations in
 * clear, as process CPU per event (every thread: RocksDB's flushes, GC, the previous version's
 * digest), interleaved round by round ({@link InterleavedCpu}). {@link PersonalDataBenchmark}'s
 * single-shot pair runs one after the other, which a shared machine skews.
 *
 * <pre>java $(cat benchmarks/target/jvm.flags) -cp benchmarks/target/benchmarks.jar \
 *     dev.indelible.benchmarks.PersonalDataRebuildCpu [events=200000] [rounds=12]</pre>
 *
 * <p>A command; not thread-safe.
 */
public final class PersonalDataRebuildCpu {

    private PersonalDataRebuildCpu() {
    }

    public static void main(String[] args) {
        long events = args.length > 0 ? Long.parseLong(args[0]) : 200_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 12;
        Path projections = Workload.tempDir("personal-rebuild-cpu");
        try (Ledger sealed = Ledger.open(Journals.accounts(events, true), Journals.accountsConfig(true));
             Ledger clear = Ledger.open(Journals.accounts(events, false), Journals.accountsConfig(false))) {
            InterleavedCpu.compare("event", rounds, round -> rebuild(sealed, projections.resolve("sealed"), events),
                round -> rebuild(clear, projections.resolve("clear"), events));
        } finally {
            Workload.delete(projections);
        }
        System.exit(0); // Chronicle's and RocksDB's threads may linger
    }

    private static long rebuild(Ledger journal, Path dir, long events) {
        OfflineProjections.rebuild(journal, dir, new AccountsProjection(), (done, of) -> { });
        return events;
    }
}
