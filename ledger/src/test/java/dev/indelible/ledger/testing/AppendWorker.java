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
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A producer process for tests: {@code <dataDir> <producer> <threads> <appendsPerThread>}. Each
 * thread appends to its own stream events whose ids derive from (producer, thread, i). With
 * {@code appendsPerThread < 0} it appends until killed and prints {@code ACK <thread> <i> <global_seq>}
 * once each append is acknowledged. Optional further arguments: the durability policy, the roll
 * cycle and the checkpoint interval. A
 * thread whose append fails prints {@code FAILED <message>} and the process exits with 3.
 */
public final class AppendWorker {
    private AppendWorker() {
    }

    public static EventId eventId(String producer, int thread, long i) {
        return EventId.of(UUID.nameUUIDFromBytes((producer + "/" + thread + "/" + i).getBytes(StandardCharsets.UTF_8)));
    }

    public static String stream(String producer, int thread) {
        return "producer-" + producer + "-t" + thread;
    }

    /** The thread number of a stream named by {@link #stream}. */
    public static int thread(String stream) {
        return Integer.parseInt(stream.substring(stream.lastIndexOf("-t") + 2));
    }

    /** One {@code ACK <thread> <i> <global_seq>} line of a producer. */
    public record Ack(String producer, int thread, long i, long globalSeq) {
        public static Ack parse(String producer, String line) {
            String[] f = line.split(" ");
            if (f.length != 4 || !f[0].equals("ACK")) {
                throw new AssertionError("unexpected line from the producer: " + line);
            }
            return new Ack(producer, Integer.parseInt(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]));
        }

        /** The event acknowledged. */
        public EventData event() {
            return AppendWorker.event(producer, thread, i);
        }
    }

    public static EventData event(String producer, int thread, long i) {
        String json = "{\"producer\":\"" + producer + "\",\"thread\":" + thread + ",\"i\":" + i
            + ",\"padding\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}";
        return new EventData(eventId(producer, thread, i), "test.appended", ContentType.JSON,
            json.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        String producer = args[1];
        int threads = Integer.parseInt(args[2]);
        long perThread = Long.parseLong(args[3]);
        LedgerConfig.Builder config = LedgerConfig.builder().producerId(producer)
            .durability(args.length > 4 ? Durability.valueOf(args[4]) : Durability.MEMORY_MAPPED);
        if (args.length > 5) {
            config.rollCycle(RollCycle.valueOf(args[5]));
        }
        if (args.length > 6) {
            config.checkpointInterval(Long.parseLong(args[6]));
        }
        java.util.concurrent.atomic.AtomicBoolean failed = new java.util.concurrent.atomic.AtomicBoolean();
        try (Ledger ledger = Ledger.open(dir, config.build())) {
            List<Thread> running = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                running.add(new Thread(() -> {
                    try {
                        for (long i = 0; perThread < 0 || i < perThread; i++) {
                            AppendResult r = ledger.append(stream(producer, thread), ExpectedVersion.ANY, event(producer, thread, i));
                            if (perThread < 0) {
                                System.out.println("ACK " + thread + " " + i + " " + ((AppendResult.Appended) r).firstGlobalSeq());
                            }
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
}
