package dev.indelible.benchmarks;

import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.RecordedEvent;
import java.nio.file.Path;

/**
 * An account registration (a new data subject each time: a new key, two sealed fields, a hashed
 * reservation) against the same registration on a ledger that seals nothing, as process CPU per
 * append on one thread, interleaved round by round ({@link InterleavedCpu}): the 0.7x as a
 * CPU ratio that a loaded machine leaves as it is. {@link PersonalDataBenchmark} has the JMH pair.
 * With {@code keys-ahead}, each round's keys are created before it is timed: the best case of keys
 * written ahead of the appends, nothing of the key store on the append path.
 *
 * <pre>java $(cat benchmarks/target/jvm.flags) -cp benchmarks/target/benchmarks.jar \
 *     dev.indelible.benchmarks.PersonalDataAppendCpu [appends per round=50000] [rounds=12] [keys-ahead]</pre>
 *
 * <p>A command; not thread-safe.
 */
public final class PersonalDataAppendCpu {

    private PersonalDataAppendCpu() {
    }

    public static void main(String[] args) {
        int appends = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 12;
        boolean keysAhead = args.length > 2 && args[2].equals("keys-ahead");
        Path sealedDir = Workload.tempDir("personal-append-sealed");
        Path clearDir = Workload.tempDir("personal-append-clear");
        try (Ledger sealed = Ledger.open(sealedDir, Journals.accountsConfig(true));
             Ledger clear = Ledger.open(clearDir, Journals.accountsConfig(false))) {
            InterleavedCpu.compare("append", rounds, round -> {
                if (keysAhead) {
                    createKeys(sealed, (long) round * appends, appends);
                }
                return register(sealed, (long) round * appends, appends);
            },
                round -> register(clear, (long) round * appends, appends));
        } finally {
            Workload.delete(sealedDir);
            Workload.delete(clearDir);
        }
        System.exit(0); // Chronicle's threads may linger
    }

    /** Creates the keys of the registrations' subjects, as sealing them for a migration does. */
    private static void createKeys(Ledger ledger, long from, int appends) {
        for (long i = from; i < from + appends; i++) {
            EventData e = Journals.registration(i);
            ledger.personalData().sealed(new RecordedEvent(i, "email-user" + i + "@example.com", 0, e.eventId(), e.type(),
                e.contentType(), 0, "keys-ahead", e.payload(), e.metadata()));
        }
    }

    private static long register(Ledger ledger, long from, int appends) {
        for (long i = from; i < from + appends; i++) {
            AppendResult result = ledger.append("email-user" + i + "@example.com", ExpectedVersion.NO_STREAM,
                Journals.registration(i));
            if (!(result instanceof AppendResult.Appended)) {
                throw new IllegalStateException("refused: " + result);
            }
        }
        return appends;
    }
}
