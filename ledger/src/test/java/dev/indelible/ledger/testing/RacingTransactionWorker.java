package dev.indelible.ledger.testing;

import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.EventId;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.Transaction;
import dev.indelible.ledger.TransactionResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A producer process racing others with transactions on shared streams:
 * {@code <dataDir> <producer> <threads> <attemptsPerThread> <streams>}. Each attempt of each thread
 * reads the versions of two or three of the streams {@code shared-0 .. shared-<streams-1>} and of
 * one more half the time, and appends one event per stream written at exactly those versions, the
 * other stream as a condition. It prints {@code COMMITTED <thread> <attempt> <first global_seq>}
 * then {@code <stream>:<expected version>} per part, or {@code REFUSED <thread> <attempt>} when a
 * version moved meanwhile; every eighth committed one is retried and must be answered with the same
 * positions. Anything else prints {@code FAILED <message>} and the process exits with 3.
 */
public final class RacingTransactionWorker {
    private RacingTransactionWorker() {
    }

    /** The id of event {@code part} of an attempt. */
    public static EventId eventId(String producer, int thread, int attempt, int part) {
        return EventId.of(UUID.nameUUIDFromBytes(("race/" + producer + "/" + thread + "/" + attempt + "/" + part)
            .getBytes(StandardCharsets.UTF_8)));
    }

    public static String stream(int s) {
        return "shared-" + s;
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        String producer = args[1];
        int threads = Integer.parseInt(args[2]);
        int attempts = Integer.parseInt(args[3]);
        int streams = Integer.parseInt(args[4]);
        AtomicBoolean failed = new AtomicBoolean();
        try (Ledger ledger = Ledger.open(dir, LedgerConfig.builder().producerId(producer).build())) {
            List<Thread> running = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                Random random = new Random(producer.hashCode() * 31L + thread);
                running.add(new Thread(() -> {
                    try {
                        for (int a = 0; a < attempts; a++) {
                            race(ledger, producer, thread, a, streams, random);
                        }
                    } catch (RuntimeException e) {
                        failed.set(true);
                        System.out.println("FAILED " + String.valueOf(e.getMessage()).replace('\n', ' '));
                    }
                }));
            }
            running.forEach(Thread::start);
            for (Thread t : running) {
                t.join();
            }
        }
        if (failed.get()) {
            System.exit(3);
        }
    }

    private static void race(Ledger ledger, String producer, int thread, int attempt, int streams, Random random) {
        List<Integer> order = new ArrayList<>();
        for (int s = 0; s < streams; s++) {
            order.add(s);
        }
        Collections.shuffle(order, random);
        int parts = 2 + random.nextInt(2);
        Transaction.Builder tx = Transaction.builder();
        StringBuilder line = new StringBuilder();
        for (int p = 0; p < parts; p++) {
            String stream = stream(order.get(p));
            long version = ledger.streamVersion(stream);
            tx.append(stream, version, EventData.json("race.appended", ("{\"producer\":\"" + producer + "\"}")
                .getBytes(StandardCharsets.UTF_8)).withEventId(eventId(producer, thread, attempt, p)));
            line.append(' ').append(stream).append(':').append(version);
        }
        if (random.nextBoolean()) {
            String other = stream(order.get(parts));
            tx.require(other, ledger.streamVersion(other));
        }
        Transaction transaction = tx.build();
        TransactionResult result = ledger.append(transaction);
        if (result instanceof TransactionResult.Committed committed) {
            System.out.println("COMMITTED " + thread + " " + attempt + " " + committed.firstGlobalSeq() + line);
            if (attempt % 8 == 0) {
                TransactionResult retry = ledger.append(transaction);
                if (!(retry instanceof TransactionResult.Committed again) || !again.duplicate()
                    || !again.parts().equals(committed.parts().stream().map(RacingTransactionWorker::asDuplicate).toList())) {
                    throw new IllegalStateException("retry of " + committed + " answered " + retry);
                }
            }
        } else if (result instanceof TransactionResult.ConditionFailed
            || (result instanceof TransactionResult.PartRefused refused
                && refused.refusal() instanceof AppendResult.WrongExpectedVersion)) {
            System.out.println("REFUSED " + thread + " " + attempt);
        } else {
            throw new IllegalStateException("attempt " + attempt + " of thread " + thread + ": " + result.message());
        }
    }

    private static AppendResult.Appended asDuplicate(AppendResult.Appended a) {
        return new AppendResult.Appended(a.stream(), a.firstGlobalSeq(), a.firstStreamVersion(), a.count(), true);
    }
}
