package dev.indelible.cli;

import dev.indelible.ledger.ContentType;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.EventId;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.InvalidEventException;
import dev.indelible.ledger.Ledger;
import dev.indelible.projections.reference.Accounts;
import dev.indelible.projections.reference.Community;
import dev.indelible.projections.reference.DomainEvents;
import dev.indelible.projections.reference.Messages;
import dev.indelible.projections.reference.Selfies;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/** The demo's appending scenes: the incidents the ledger and the client API answer at append time. */
final class DemoAppendScenes {
    private static final int THREADS = 4;
    private static final int PER_THREAD = 10_000;
    private static final int PER_PROCESS = 5_000;

    private final Ledger ledger;
    private final Path dir;
    private final DemoLog log;

    DemoAppendScenes(Ledger ledger, Path dir, DemoLog log) {
        this.ledger = ledger;
        this.dir = dir;
        this.log = log;
    }

    void selfiesFromThreadsAndProcesses() throws Exception {
        log.scene(String.format("1. Selfies: %d threads x %,d and 2 OS processes x %,d submit at once (the JSON file lost some)",
            THREADS, PER_THREAD, PER_PROCESS));
        List<ChildProcess> children = List.of(
            new ChildProcess("demo-producer", "--data", dir.toString(), "--name", "process-1", "--count", "" + PER_PROCESS),
            new ChildProcess("demo-producer", "--data", dir.toString(), "--name", "process-2", "--count", "" + PER_PROCESS));
        Selfies selfies = new Selfies(ledger);
        runTogether(THREADS, t -> {
            String name = "thread-" + t;
            for (int i = 0; i < PER_THREAD; i++) {
                selfies.submit(DemoProducerCommand.userId(i), "photo", DemoProducerCommand.fileId(name, i),
                    DemoProducerCommand.AT.plusSeconds(i));
                log.acknowledged(DemoProducerCommand.selfieId(name, i));
            }
        });
        for (int p = 0; p < children.size(); p++) {
            if (children.get(p).waitFor() != 0) {
                log.failed("producer process " + (p + 1) + " failed");
            }
            for (int i = 0; i < PER_PROCESS; i++) {
                log.acknowledged(DemoProducerCommand.selfieId("process-" + (p + 1), i));
            }
        }
        log.say("appended; journal head is now %,d", ledger.head());
    }

    void refuseBadInput() {
        log.scene("2. Bad input is refused before anything is written (the bot reset its file to [] instead)");
        long before = ledger.head();
        Selfies selfies = new Selfies(ledger);
        refuse(() -> selfies.submit(0, "photo", "f", Instant.now()));
        refuse(() -> ledger.append("selfies-user-1", ExpectedVersion.ANY, new EventData(EventId.random(),
            DomainEvents.SELFIE_SUBMITTED, ContentType.PROTOBUF, new byte[] {(byte) 0xff, 0x01}, Map.of())));
        refuse(() -> ledger.append("selfies-user-1", ExpectedVersion.ANY, DomainEvents.fromJson(DomainEvents.SELFIE_SUBMITTED,
            "{\"user_id\": 1, \"media_type\": \"photo\", \"submitted_at\": \"2025-11-04T12:07:00Z\"}")));
        refuse(() -> ledger.append("", ExpectedVersion.ANY, EventData.json("note", "{}".getBytes(StandardCharsets.UTF_8))));
        log.say("journal head before %,d, after %,d", before, ledger.head());
        if (ledger.head() != before) {
            log.failed("bad input changed the journal");
        }
    }

    void duplicateEmails() throws InterruptedException {
        log.scene("3. Accounts: 16 threads register Alice's address at once, spelled 16 ways (users re-registered before)");
        Accounts accounts = new Accounts(ledger, id -> Optional.empty());
        AtomicInteger won = new AtomicInteger();
        AtomicInteger taken = new AtomicInteger();
        runTogether(16, t -> {
            String spelling = (t % 2 == 0 ? "Alice" : "alice") + "@Example.com" + " ".repeat(t % 3);
            Accounts.Result r = accounts.register(spelling, "Alice " + t);
            if (r instanceof Accounts.Done done) {
                won.incrementAndGet();
                log.acknowledged(ledger.readStream(Accounts.emailStream("alice@example.com"), 0, 1).get(0).eventId());
            } else {
                taken.incrementAndGet();
            }
        });
        log.rejected(taken.get() + " x alice@example.com: EmailTaken");
        log.say("registered %d, refused as taken %d", won.get(), taken.get());
        if (won.get() != 1) {
            log.failed(won.get() + " registrations of one address succeeded");
        }
    }

    void orphans() {
        log.scene("4. Community: references are checked at append (the archive had \"prayed by None\")");
        Community community = new Community(ledger);
        long before = ledger.head();
        expect(community.join("Max", null), Community.Done.class);
        expect(community.join("ann", "max"), Community.Done.class);
        String prayer = ((Community.Done) community.submitPrayer("ann", "for the harvest")).id();
        expect(community.markPrayed(prayer, "MAX"), Community.Done.class);
        long accepted = ledger.head() - before;
        for (Community.Result refused : List.of(community.join("max", ""), community.join("newbie", "ghost"),
            community.submitPrayer("ghost", "for rain"), community.markPrayed("no-such-prayer", "ann"),
            community.markPrayed(prayer, "None"))) {
            log.rejected(refused.toString());
            log.say("refused: %s", refused);
        }
        log.say("%d accepted, 5 refused; journal head before %,d, after %,d", accepted, before, ledger.head());
        if (ledger.head() - before != 4) {
            log.failed("a refused community call appended something");
        }
    }

    void retryWithTheSameId() {
        log.scene("5. A producer retries after a timeout: the same message id, nothing written twice");
        Messages messages = new Messages(ledger);
        Messages.PostResult first = messages.post("msg-retry", "alpha", "general", "u1", Instant.parse("2025-11-04T12:00:00Z"));
        long head = ledger.head();
        Messages.PostResult again = messages.post("msg-retry", "alpha", "general", "u1", Instant.parse("2025-11-04T12:00:00Z"));
        log.acknowledged(DomainEvents.eventId(DomainEvents.MESSAGE_POSTED, "msg-retry"));
        log.say("first %s, retry %s; journal head unchanged: %s", first, again, head == ledger.head() ? "yes" : "NO");
    }

    void killedProducer() throws Exception {
        log.scene("6. A producer process is killed with kill -9 mid-stream");
        try (ChildProcess child = new ChildProcess("demo-producer", "--data", dir.toString(), "--name", "doomed",
            "--count", "-1")) {
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (child.linesSoFar() < 2_000 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            child.killHard();
            List<String> acks = child.lines();
            for (int i = 0; i < acks.size(); i++) {
                log.acknowledged(DemoProducerCommand.selfieId("doomed", i));
            }
            log.say("killed after %,d acknowledged appends", acks.size());
        }
        new Selfies(ledger).submit(1, "photo", "after-the-kill", Instant.now());
        log.acknowledged(DemoProducerCommand.selfieIdOf(1, "after-the-kill"));
        log.say("appending resumes at once");
    }

    private void refuse(Runnable append) {
        try {
            append.run();
            log.failed("bad input was not refused");
        } catch (InvalidEventException e) {
            log.rejected(e.getMessage());
            log.say("refused: %s", e.getMessage());
        }
    }

    private void expect(Object result, Class<?> type) {
        if (!type.isInstance(result)) {
            log.failed("expected " + type.getSimpleName() + ", got " + result);
        }
    }

    /** Runs {@code body(t)} on {@code threads} threads released together. */
    static void runTogether(int threads, IntConsumer body) throws InterruptedException {
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> running = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int index = t;
            Thread thread = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                body.accept(index);
            });
            thread.start();
            running.add(thread);
        }
        start.countDown();
        for (Thread thread : running) {
            thread.join();
        }
    }
}
