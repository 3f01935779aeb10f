package dev.indelible.cli;

import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.EventId;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.InvalidEventException;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.RecordedEvent;
import dev.indelible.ledger.VerifyReport;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The main job: plays the incidents the ledger answers on its own, in a fresh directory, and proves
 * the outcome by reading everything back and verifying the journal.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Replays the incidents against a fresh ledger and proves nothing was lost.")
final class DemoCommand implements Callable<Integer> {
    private static final int THREADS = 4;
    private static final int PER_THREAD = 10_000;
    private static final int PER_PROCESS = 5_000;

    @Option(names = "--data", description = "Where to create the demo ledger (default: ./indelible-data/demo-<time>).")
    Path data;

    private final PrintStream out = System.out;
    private final List<String> rejections = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        long started = System.nanoTime();
        Path dir = data != null ? data : Path.of("indelible-data",
            "demo-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        if (Files.exists(dir) && Files.list(dir).findAny().isPresent()) {
            System.err.println("demo: " + dir + " is not empty; the demo needs a fresh directory");
            return Main.USAGE;
        }
        out.println("Indelible demo in " + dir.toAbsolutePath());
        Set<EventId> expected = new HashSet<>();
        try (Ledger ledger = Ledger.open(dir, LedgerConfig.defaults())) {
            selfiesFromThreadsAndProcesses(ledger, dir, expected);
            refuseBadInput(ledger);
            duplicateEmails(ledger, expected);
            retryWithTheSameId(ledger);
            killedProducer(ledger, dir, expected);
            return report(ledger, dir, expected, started);
        }
    }

    private void selfiesFromThreadsAndProcesses(Ledger ledger, Path dir, Set<EventId> expected) throws Exception {
        out.printf("%n1. Selfies: %d threads x %,d and 2 OS processes x %,d submit at once (the JSON file lost some)%n",
            THREADS, PER_THREAD, PER_PROCESS);
        List<ChildProcess> children = List.of(
            new ChildProcess("demo-producer", "--data", dir.toString(), "--name", "process-1", "--count", "" + PER_PROCESS),
            new ChildProcess("demo-producer", "--data", dir.toString(), "--name", "process-2", "--count", "" + PER_PROCESS));
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            String name = "thread-" + t;
            threads.add(new Thread(() -> {
                awaitQuietly(start);
                for (int i = 0; i < PER_THREAD; i++) {
                    ledger.append("selfies-user-" + (1_201_911_100 + i % 8), ExpectedVersion.ANY,
                        DemoProducerCommand.selfie(name, i));
                }
            }));
        }
        threads.forEach(Thread::start);
        start.countDown();
        for (Thread t : threads) {
            t.join();
        }
        for (int p = 0; p < children.size(); p++) {
            if (children.get(p).waitFor() != 0) {
                throw new IllegalStateException("producer process " + (p + 1) + " failed");
            }
        }
        for (int t = 0; t < THREADS; t++) {
            for (int i = 0; i < PER_THREAD; i++) {
                expected.add(DemoProducerCommand.selfie("thread-" + t, i).eventId());
            }
        }
        for (int p = 1; p <= 2; p++) {
            for (int i = 0; i < PER_PROCESS; i++) {
                expected.add(DemoProducerCommand.selfie("process-" + p, i).eventId());
            }
        }
        out.printf("   appended; journal head is now %,d%n", ledger.head());
    }

    private void refuseBadInput(Ledger ledger) {
        out.println("\n2. Bad input is refused before anything is written (the bot reset its file to [] instead)");
        long before = ledger.head();
        refuse(() -> ledger.append("selfies-user-1", ExpectedVersion.ANY,
            EventData.json("selfie.submitted", "{\"user_id\": 1, ".getBytes(StandardCharsets.UTF_8))));
        refuse(() -> ledger.append("", ExpectedVersion.ANY,
            EventData.json("selfie.submitted", "{}".getBytes(StandardCharsets.UTF_8))));
        refuse(() -> ledger.append("selfies-user-1", ExpectedVersion.ANY,
            EventData.json("selfie.submitted", null)));
        out.printf("   journal head before %,d, after %,d%n", before, ledger.head());
    }

    private void refuse(Runnable append) {
        try {
            append.run();
            rejections.add("NOT REFUSED");
        } catch (InvalidEventException e) {
            rejections.add(e.getMessage());
            out.println("   refused: " + e.getMessage());
        }
    }

    private void duplicateEmails(Ledger ledger, Set<EventId> expected) throws InterruptedException {
        out.println("\n3. Accounts: 16 threads register alice@example.com at once (users re-registered before)");
        AtomicInteger won = new AtomicInteger();
        AtomicInteger taken = new AtomicInteger();
        List<EventId> winners = new ArrayList<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 16; t++) {
            threads.add(new Thread(() -> {
                awaitQuietly(start);
                EventData event = EventData.json("account.registered",
                    "{\"email\":\"alice@example.com\",\"display_name\":\"Alice\"}".getBytes(StandardCharsets.UTF_8));
                AppendResult r = ledger.append("email-alice@example.com", ExpectedVersion.NO_STREAM, event);
                if (r instanceof AppendResult.Appended) {
                    won.incrementAndGet();
                    synchronized (winners) {
                        winners.add(event.eventId());
                    }
                } else {
                    taken.incrementAndGet();
                }
            }));
        }
        threads.forEach(Thread::start);
        start.countDown();
        for (Thread t : threads) {
            t.join();
        }
        expected.addAll(winners);
        rejections.add(taken.get() + " x email-alice@example.com: WrongExpectedVersion (email taken)");
        out.printf("   registered %d, refused as taken %d%n", won.get(), taken.get());
    }

    private void retryWithTheSameId(Ledger ledger) {
        out.println("\n4. A producer retries an append after a timeout: same event id, nothing written twice");
        EventData selfie = DemoProducerCommand.selfie("thread-0", 42);
        long before = ledger.head();
        AppendResult r = ledger.append("selfies-user-1201911102", ExpectedVersion.ANY, selfie);
        out.printf("   answer: %s; journal head before %,d, after %,d%n", r, before, ledger.head());
    }

    private void killedProducer(Ledger ledger, Path dir, Set<EventId> expected) throws Exception {
        out.println("\n5. A producer process is killed with kill -9 mid-stream");
        try (ChildProcess child = new ChildProcess("demo-producer", "--data", dir.toString(), "--name", "doomed",
            "--count", "-1")) {
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (child.linesSoFar() < 2_000 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            child.killHard();
            List<String> acks = child.lines();
            for (int i = 0; i < acks.size(); i++) {
                expected.add(DemoProducerCommand.selfie("doomed", i).eventId());
            }
            out.printf("   killed after %,d acknowledged appends%n", acks.size());
        }
        EventData after = EventData.json("selfie.submitted", "{\"user_id\":1}".getBytes(StandardCharsets.UTF_8));
        ledger.append("selfies-user-1", ExpectedVersion.ANY, after);
        expected.add(after.eventId());
        out.println("   appending resumes at once");
    }

    private int report(Ledger ledger, Path dir, Set<EventId> expected, long started) {
        Set<EventId> present = new HashSet<>();
        long events = 0;
        long duplicates = 0;
        long gaps = 0;
        for (long from = 0; ; ) {
            List<RecordedEvent> page = ledger.read(from, 10_000);
            if (page.isEmpty()) {
                break;
            }
            for (RecordedEvent e : page) {
                gaps += e.globalSeq() == events ? 0 : 1;
                events++;
                duplicates += present.add(e.eventId()) ? 0 : 1;
            }
            from += page.size();
        }
        long lost = expected.stream().filter(id -> !present.contains(id)).count();
        VerifyReport verify = ledger.verify();
        out.println("\nReport");
        out.printf("   events in the journal       %,d (global_seq dense: %s)%n", events, gaps == 0 ? "yes" : gaps + " gaps");
        out.printf("   acknowledged, then lost     %d%n", lost);
        out.printf("   duplicates                  %d%n", duplicates);
        out.printf("   rejections                  %d%n", rejections.size());
        rejections.forEach(r -> out.println("     - " + r));
        out.printf("   verify                      %s%n", verify.ok() ? "ok: " + verify.eventsChecked()
            + " events, every checksum and link intact" : verify.problems());
        out.printf("   elapsed                     %.1f s%n", (System.nanoTime() - started) / 1e9);
        out.println("\nWhere to look next: the journal is in " + dir.resolve("journal").toAbsolutePath()
            + "; ledger/README.md says what each guarantee means and which test proves it.");
        boolean ok = verify.ok() && lost == 0 && duplicates == 0 && gaps == 0 && !rejections.contains("NOT REFUSED");
        return ok ? Main.OK : Main.VERIFY_FAILED;
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
