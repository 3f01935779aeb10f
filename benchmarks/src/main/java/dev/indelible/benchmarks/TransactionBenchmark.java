package dev.indelible.benchmarks;

import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.EventId;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.Transaction;
import dev.indelible.ledger.TransactionResult;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Two events per call, either way: to one stream in one append, or to two streams in a 2-part
 * transaction (the ledger's goal: at least 0.8x the events/s of the append).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
public class TransactionBenchmark {
    private Path dir;
    private Ledger ledger;
    private final EventData event = EventData.json("selfie.recorded", Workload.RECORD);

    @Setup(Level.Trial)
    public void open() {
        dir = Workload.tempDir("transaction");
        ledger = Ledger.open(dir, LedgerConfig.defaults());
    }

    @TearDown(Level.Trial)
    public void close() {
        ledger.close();
        Workload.delete(dir);
    }

    @State(Scope.Thread)
    public static class Streams {
        String first;
        String second;

        @Setup(Level.Trial)
        public void name() {
            first = "account-" + Thread.currentThread().getId() + "-" + System.nanoTime();
            second = "email-" + Thread.currentThread().getId() + "-" + System.nanoTime();
        }
    }

    @Benchmark
    public Object twoEventAppend(Streams streams) {
        AppendResult result = ledger.append(streams.first, ExpectedVersion.ANY,
            List.of(event.withEventId(EventId.random()), event.withEventId(EventId.random())));
        if (!(result instanceof AppendResult.Appended)) {
            throw new IllegalStateException("refused: " + result);
        }
        return result;
    }

    @Benchmark
    public Object twoPartTransaction(Streams streams) {
        TransactionResult result = ledger.append(Transaction.builder()
            .append(streams.first, ExpectedVersion.ANY, event.withEventId(EventId.random()))
            .append(streams.second, ExpectedVersion.ANY, event.withEventId(EventId.random()))
            .build());
        if (!(result instanceof TransactionResult.Committed)) {
            throw new IllegalStateException("refused: " + result);
        }
        return result;
    }
}
