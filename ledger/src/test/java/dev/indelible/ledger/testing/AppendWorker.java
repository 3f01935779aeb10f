package dev.indelible.ledger.testing;

import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.ContentType;
import dev.indelible.ledger.Durability;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.EventId;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.RollCycle;
import dev.indelible.ledger.Transaction;
import dev.indelible.ledger.TransactionResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A producer process for tests: {@code <dataDir> <producer> <threads> <appendsPerThread>}. Each
 * thread appends to its own stream events whose ids derive from (producer, thread, i). With
 * {@code appendsPerThread < 0} it appends until killed and prints {@code ACK <thread> <i> <global_seq>}
 * once each event is acknowledged. Optional further arguments: the durability policy, the roll
 * cycle and the checkpoint interval. A
 * thread whose append fails prints {@code FAILED <message>} and the process exits with 3.
 *
 * <p>With {@link #TRANSACTIONS} among the arguments each thread mixes single appends with 2- and
 * 3-part transactions on streams of its own, as {@link #planned} lays out; each event's payload
 * names its transaction (first event, size), so {@link WholeTransactions} tells whole from partial,
 * and the ACK lines end with {@code <first> <size>}.
 */
public final class AppendWorker {
    /** The argument that turns transactions on. */
    public static final String TRANSACTIONS = "--transactions";
    /**
     * In transaction mode each thread's events repeat this plan: a single append, a transaction
     * of parts of [1, 1] events, one of [2, 1, 1] (part {@code p} on {@link #partStream}).
     */
    private static final int[][] PLAN = {{1}, {1, 1}, {2, 1, 1}};
    private static final int PLAN_EVENTS = 7;
    /** The plan per event: the offset of its transaction's first event in the plan, that size, its part. */
    private static final int[] PLANNED_FIRST = new int[PLAN_EVENTS];
    private static final int[] PLANNED_SIZE = new int[PLAN_EVENTS];
    private static final int[] PLANNED_PART = new int[PLAN_EVENTS];

    static {
        int at = 0;
        for (int[] parts : PLAN) {
            int first = at;
            for (int p = 0; p < parts.length; p++) {
                for (int n = 0; n < parts[p]; n++, at++) {
                    PLANNED_FIRST[at] = first;
                    PLANNED_PART[at] = p;
                }
            }
            Arrays.fill(PLANNED_SIZE, first, at, at - first);
        }
    }

    private AppendWorker() {
    }

    public static EventId eventId(String producer, int thread, long i) {
        return EventId.of(UUID.nameUUIDFromBytes((producer + "/" + thread + "/" + i).getBytes(StandardCharsets.UTF_8)));
    }

    public static String stream(String producer, int thread) {
        return "producer-" + producer + "-t" + thread;
    }

    /** The stream of part {@code part} of a thread's transactions: {@link #stream}, then {@code -b}, {@code -c}. */
    public static String partStream(String producer, int thread, int part) {
        return part == 0 ? stream(producer, thread) : stream(producer, thread) + "-" + (char) ('a' + part);
    }

    /** The thread number of a stream named by {@link #stream}. */
    public static int thread(String stream) {
        return Integer.parseInt(stream.substring(stream.lastIndexOf("-t") + 2));
    }

    /** One {@code ACK <thread> <i> <global_seq> [<first> <size>]} line of a producer. */
    public record Ack(String producer, int thread, long i, long globalSeq, boolean transactions) {
        public static Ack parse(String producer, String line) {
            String[] f = line.split(" ");
            if ((f.length != 4 && f.length != 6) || !f[0].equals("ACK")) {
                throw new AssertionError("unexpected line from the producer: " + line);
            }
            return new Ack(producer, Integer.parseInt(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]), f.length == 6);
        }

        /** The event acknowledged. */
        public EventData event() {
            return transactions ? planned(producer, thread, i).event() : AppendWorker.event(producer, thread, i);
        }
    }

    public static EventData event(String producer, int thread, long i) {
        return event(producer, thread, i, "");
    }

    private static EventData event(String producer, int thread, long i, String transaction) {
        String json = "{\"producer\":\"" + producer + "\",\"thread\":" + thread + ",\"i\":" + i + transaction
            + ",\"padding\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}";
        return new EventData(eventId(producer, thread, i), "test.appended", ContentType.JSON,
            json.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    /**
     * Event {@code i} of a thread in transaction mode: its stream, and the transaction it belongs
     * to (its first event and size; size 1 for a single append).
     */
    public record Planned(String stream, EventData event, long first, int size) {
    }

    public static Planned planned(String producer, int thread, long i) {
        int at = (int) (i % PLAN_EVENTS);
        long first = i - at + PLANNED_FIRST[at];
        String named = ",\"tx\":" + first + ",\"size\":" + PLANNED_SIZE[at];
        return new Planned(partStream(producer, thread, PLANNED_PART[at]), event(producer, thread, i, named), first,
            PLANNED_SIZE[at]);
    }

    public static void main(String[] args) throws Exception {
        List<String> arguments = new ArrayList<>(List.of(args));
        boolean transactions = arguments.remove(TRANSACTIONS);
        Path dir = Path.of(arguments.get(0));
        String producer = arguments.get(1);
        int threads = Integer.parseInt(arguments.get(2));
        long perThread = Long.parseLong(arguments.get(3));
        LedgerConfig.Builder config = LedgerConfig.builder().producerId(producer)
            .durability(arguments.size() > 4 ? Durability.valueOf(arguments.get(4)) : Durability.MEMORY_MAPPED);
        if (arguments.size() > 5) {
            config.rollCycle(RollCycle.valueOf(arguments.get(5)));
        }
        if (arguments.size() > 6) {
            config.checkpointInterval(Long.parseLong(arguments.get(6)));
        }
        AtomicBoolean failed = new AtomicBoolean();
        try (Ledger ledger = Ledger.open(dir, config.build())) {
            List<Thread> running = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                running.add(new Thread(() -> {
                    try {
                        for (long i = 0; perThread < 0 || i < perThread; ) {
                            i += transactions ? appendPlanned(ledger, producer, thread, i, perThread < 0)
                                : appendOne(ledger, producer, thread, i, perThread < 0);
                        }
                    } catch (RuntimeException e) {
                        failed.set(true);
                        System.out.println("FAILED " + e.getMessage().replace('\n', ' '));
                    }
                }));
            }
            running.forEach(Thread::start);
            for (Thread t : running) {
                t.join();
            }
        } catch (RuntimeException e) {
            // Refused at open, or close() after a failed sync: say why, then exit 3.
            failed.set(true);
            System.out.println("FAILED " + String.valueOf(e.getMessage()).replace('\n', ' '));
            e.printStackTrace();
        }
        if (failed.get()) {
            System.exit(3);
        }
    }

    private static int appendOne(Ledger ledger, String producer, int thread, long i, boolean print) {
        AppendResult r = ledger.append(stream(producer, thread), ExpectedVersion.ANY, event(producer, thread, i));
        if (print) {
            System.out.println("ACK " + thread + " " + i + " " + ((AppendResult.Appended) r).firstGlobalSeq());
        }
        return 1;
    }

    /**
     * Appends event {@code first}'s step of the plan: a single append, or a transaction (the
     * 3-part ones through appendAsync); returns how many events it held.
     */
    private static int appendPlanned(Ledger ledger, String producer, int thread, long first, boolean print) {
        Planned head = planned(producer, thread, first);
        if (head.size() == 1) {
            AppendResult r = ledger.append(head.stream(), ExpectedVersion.ANY, head.event());
            if (print) {
                System.out.println("ACK " + thread + " " + first + " " + ((AppendResult.Appended) r).firstGlobalSeq() + " "
                    + first + " 1");
            }
            return 1;
        }
        Transaction.Builder tx = Transaction.builder();
        List<EventData> part = new ArrayList<>();
        String partStream = head.stream();
        for (long i = first; i < first + head.size(); i++) {
            Planned p = planned(producer, thread, i);
            if (!p.stream().equals(partStream)) {
                tx.append(partStream, ExpectedVersion.ANY, part);
                part = new ArrayList<>();
                partStream = p.stream();
            }
            part.add(p.event());
        }
        Transaction transaction = tx.append(partStream, ExpectedVersion.ANY, part).build();
        TransactionResult r = transaction.parts().size() == 3 ? ledger.appendAsync(transaction).join()
            : ledger.append(transaction);
        if (!(r instanceof TransactionResult.Committed committed)) {
            throw new IllegalStateException("transaction at " + first + " refused: " + r.message());
        }
        if (print) {
            for (int k = 0; k < head.size(); k++) {
                System.out.println("ACK " + thread + " " + (first + k) + " " + (committed.firstGlobalSeq() + k) + " " + first
                    + " " + head.size());
            }
        }
        return head.size();
    }
}
