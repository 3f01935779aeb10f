package dev.indelible.projections.reference;

import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.ContentType;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.PersonalData;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.RecordedEvent;
import dev.indelible.ledger.RuleAudit;
import dev.indelible.ledger.VerifyReport;
import dev.indelible.ledger.testing.ChildJvm;
import dev.indelible.projections.ProjectionEngine;
import dev.indelible.projections.proto.AccountClosed;
import dev.indelible.projections.proto.AccountEmailChanged;
import dev.indelible.projections.proto.AccountRegistered;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Eight OS processes race {@code register}, {@code changeEmail} and {@code close} over 1,000
 * accounts and 2,000 addresses. After the registration race (the accounts incident: eight
 * processes register the same 1,000 addresses) each address has one account, every other attempt
 * was {@code EmailTaken} and appended nothing, and the projection agrees. Afterwards every address belongs to at most one account, no
 * account changed its address after it closed, every count is exact, every answer a worker got is
 * backed by the journal, {@link RuleAudit} finds nothing and the accounts projection agrees.
 *
 * <p>The journal checks live in {@link #checkJournal}; the small tests at the end feed it (and
 * {@link RuleAudit}) journals that break the rules, so they are shown to fail when they should.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES) // 42 s on 2 cores at a load of 17: sixteen child JVMs
@Tag("system")
class AccountsRaceTest {

    private static final int PROCESSES = 8;
    private static final int ACCOUNTS = 1_000;
    private static final int ALT_ADDRESSES = 1_000;
    private static final long CHILD_TIMEOUT_SECONDS = 120;

    @TempDir
    Path dir;

    @Test
    void shouldKeepOneAccountPerAddressAndNoChangeAfterCloseAcrossEightProcesses() throws Exception {
        Path data = dir.resolve("ledger");
        long started = System.nanoTime();
        String[] ids = registerRace(data);
        long registered = System.nanoTime();
        Path accountsFile = dir.resolve("accounts.txt");
        Files.write(accountsFile, Arrays.asList(ids));
        List<List<Call>> calls = changeAndCloseRace(data, accountsFile);
        long raced = System.nanoTime();

        Expected expected = checkAnswers(ids, calls);
        try (Ledger ledger = Ledger.open(data, DomainEvents.register(LedgerConfig.builder()).build())) {
            List<RecordedEvent> events = readAll(ledger);
            JournalSummary journal = checkJournal(events, ledger.personalData());
            assertEquals(List.of(), journal.violations(), "the journal breaks the account rules");
            assertEquals(ACCOUNTS, journal.registered());
            assertEquals(expected.changesDone().size(), journal.changed(),
                    "account.email_changed events = changes answered Done");
            assertEquals(ACCOUNTS, journal.closed());
            assertEquals(ACCOUNTS + expected.changesDone().size() + ACCOUNTS, ledger.head(),
                    "head = registrations + Done changes + closes: refused calls appended nothing");
            assertAnswersBackedByJournal(ids, calls, events, journal, ledger.personalData());

            RuleAudit.Report audit = RuleAudit.run(ledger, ledger.config());
            assertTrue(audit.ok(), () -> "rule audit: " + audit.violations());
            assertEquals(ledger.head(), audit.eventsWithRules(), "every event has a rule and was audited");
            VerifyReport verify = ledger.verify();
            assertTrue(verify.ok(), () -> "verify: " + verify.problems());
            assertEquals(ledger.head(), verify.eventsChecked());

            assertProjectionAgrees(ledger, ids, expected, journal);
        }
        long checked = System.nanoTime();
        System.out.printf("AccountsRaceTest: register race %d ms, change/close race %d ms, checks %d ms; "
                        + "%d change attempts: %d done, %d taken, %d closed%n",
                (registered - started) / 1_000_000, (raced - registered) / 1_000_000, (checked - raced) / 1_000_000,
                expected.changeAttempts(), expected.changesDone().size(), expected.changesTaken(),
                expected.changesClosed());
    }

    /** Phase 1: eight {@link RegisterWorker}s register the same 1,000 addresses; returns the account id of each. */
    private String[] registerRace(Path data) throws Exception {
        List<ChildJvm> children = new ArrayList<>();
        try {
            for (int p = 0; p < PROCESSES; p++) {
                children.add(ChildJvm.start(RegisterWorker.class, dir.resolve("register-" + p + ".err"),
                        data.toString(), Integer.toString(ACCOUNTS), Integer.toString(p)));
            }
            int done = 0;
            int taken = 0;
            String[] ids = new String[ACCOUNTS];
            for (ChildJvm child : children) {
                child.awaitSuccess(CHILD_TIMEOUT_SECONDS);
                for (String line : child.lines()) {
                    String[] words = line.split(" ");
                    if (words[0].equals("REGISTERED")) {
                        done += Integer.parseInt(words[1]);
                        taken += Integer.parseInt(words[3]);
                    } else {
                        assertEquals("OK", words[0], line);
                        int i = Integer.parseInt(words[1].substring("user".length(), words[1].indexOf('@')));
                        assertNull(ids[i], "two processes registered " + words[1]);
                        ids[i] = words[2];
                    }
                }
            }
            assertEquals(ACCOUNTS, done, "each address registered once");
            assertEquals(ACCOUNTS * (PROCESSES - 1), taken, "every other registration was EmailTaken");
            assertEquals(ACCOUNTS, new HashSet<>(Arrays.asList(ids)).size(), "distinct account ids");
            assertProjectionAgreesAfterRegistration(data, ids);
            return ids;
        } finally {
            children.forEach(ChildJvm::close);
        }
    }

    /** Phase 2: eight {@link AccountsRaceWorker}s, started together, change and close every account. */
    private List<List<Call>> changeAndCloseRace(Path data, Path accountsFile) throws Exception {
        Path go = dir.resolve("go.lock");
        List<ChildJvm> children = new ArrayList<>();
        try (FileChannel channel = FileChannel.open(go, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            FileLock gate = channel.lock();
            for (int p = 0; p < PROCESSES; p++) {
                children.add(ChildJvm.start(AccountsRaceWorker.class, dir.resolve("race-" + p + ".err"), data.toString(),
                        accountsFile.toString(), Integer.toString(ALT_ADDRESSES), Long.toString(1_000 + p), go.toString()));
            }
            for (ChildJvm child : children) {
                child.awaitLines(2, CHILD_TIMEOUT_SECONDS); // WARMUP, READY: ledger open, waiting at the gate
            }
            gate.release();
            List<List<Call>> calls = new ArrayList<>();
            for (int p = 0; p < PROCESSES; p++) {
                children.get(p).awaitSuccess(CHILD_TIMEOUT_SECONDS);
                calls.add(parseWorker(p, children.get(p).lines()));
            }
            return calls;
        } finally {
            children.forEach(ChildJvm::close);
        }
    }

    /** One call a worker made: {@code CHANGE} or {@code CLOSE} of account {@code i}; {@code seq} is the event's or the head after. */
    record Call(int worker, int order, String kind, int i, String email, String outcome, long seq) {
        boolean change() {
            return kind.equals("CHANGE");
        }

        boolean done() {
            return outcome.equals("DONE");
        }
    }

    private static List<Call> parseWorker(int worker, List<String> lines) {
        assertEquals("WARMUP TAKEN", lines.get(0), "worker " + worker + ": a change to a registered address is EmailTaken");
        assertEquals("READY", lines.get(1));
        String counts = lines.get(lines.size() - 1);
        assertTrue(counts.startsWith("COUNTS "), "worker " + worker + " ends with its counts: " + counts);
        List<Call> calls = new ArrayList<>();
        for (String line : lines.subList(2, lines.size() - 1)) {
            String[] w = line.split(" ");
            if (w[0].equals("CHANGE")) {
                calls.add(new Call(worker, calls.size(), w[0], Integer.parseInt(w[1]), w[2], w[3], Long.parseLong(w[4])));
            } else if (w[0].equals("CLOSE")) {
                calls.add(new Call(worker, calls.size(), w[0], Integer.parseInt(w[1]), null, w[2], Long.parseLong(w[3])));
            } else {
                fail("worker " + worker + " printed " + line);
            }
        }
        // The worker's own tally must agree with its call lines.
        long changes = calls.stream().filter(Call::change).count();
        String recount = "COUNTS changes " + changes + " " + count(calls, true, "DONE") + " " + count(calls, true, "TAKEN")
                + " " + count(calls, true, "CLOSED") + " closes " + (calls.size() - changes) + " "
                + count(calls, false, "DONE") + " " + count(calls, false, "CLOSED") + " other 0";
        assertEquals(recount, counts, "worker " + worker + ": counts, and no other outcome (UnknownAccount, ...)");
        return calls;
    }

    private static long count(List<Call> calls, boolean change, String outcome) {
        return calls.stream().filter(c -> c.change() == change && c.outcome().equals(outcome)).count();
    }

    /** What the workers' answers say happened: the Done changes by global_seq, and the totals. */
    record Expected(Map<Long, Call> changesDone, Map<Integer, Call> closesDone, long changeAttempts, long changesTaken,
                    long changesClosed) {
    }

    private static Expected checkAnswers(String[] ids, List<List<Call>> calls) {
        Map<Long, Call> changesDone = new HashMap<>();
        Map<String, Call> addressWinners = new HashMap<>();
        Map<Integer, Call> closesDone = new HashMap<>();
        long changeAttempts = 0;
        long taken = 0;
        long changesClosed = 0;
        long closeClosed = 0;
        for (List<Call> worker : calls) {
            int[] closesOf = new int[ACCOUNTS];
            Map<Integer, Call> ownClose = new HashMap<>();
            for (Call call : worker) {
                if (!call.change()) {
                    closesOf[call.i()]++;
                    ownClose.put(call.i(), call);
                    if (call.done()) {
                        assertNull(closesDone.put(call.i(), call), "account " + call.i() + " closed twice: " + call);
                    } else {
                        assertEquals("CLOSED", call.outcome(), call.toString());
                        closeClosed++;
                    }
                    continue;
                }
                changeAttempts++;
                Call closeBefore = ownClose.get(call.i());
                switch (call.outcome()) {
                    case "DONE" -> {
                        assertTrue(call.email().startsWith("alt"), "a registered address was free: " + call);
                        assertNull(addressWinners.put(call.email(), call), "two changes won " + call.email());
                        assertNull(changesDone.put(call.seq(), call), "two changes at one global_seq: " + call);
                        assertNull(closeBefore, "changed after this worker saw the account closed: " + closeBefore
                                + " then " + call);
                    }
                    case "TAKEN" -> taken++;
                    case "CLOSED" -> changesClosed++;
                    default -> fail("unexpected outcome " + call);
                }
            }
            for (int i = 0; i < ACCOUNTS; i++) {
                assertEquals(1, closesOf[i], "worker " + worker.get(0).worker() + " closes account " + i + " once");
            }
            // A change answered Closed before this worker's own close: the account was closed by then,
            // so the worker's own close cannot be the one that closed it.
            for (Call call : worker) {
                Call own = ownClose.get(call.i());
                if (call.change() && call.outcome().equals("CLOSED") && call.order() < own.order()) {
                    assertEquals("CLOSED", own.outcome(), "answered Closed before the account was closed: " + call
                            + ", then " + own);
                }
            }
        }
        assertEquals(ACCOUNTS, closesDone.size(), "each account closed exactly once");
        assertEquals((long) ACCOUNTS * (PROCESSES - 1), closeClosed, "every other close was answered Closed");
        assertEquals(changeAttempts, changesDone.size() + taken + changesClosed, "every change was Done, EmailTaken or Closed");
        assertTrue(changesDone.size() > 0 && changesClosed > 0 && taken > 0,
                "the race exercised every outcome: " + changesDone.size() + " done, " + taken + " taken, "
                        + changesClosed + " closed");
        assertTrue(ids.length == ACCOUNTS && changesDone.size() <= ALT_ADDRESSES);
        return new Expected(changesDone, closesDone, changeAttempts, taken, changesClosed);
    }

    /** Every Done is the journal's event at that global_seq; every refusal has its cause in the journal before it. */
    private static void assertAnswersBackedByJournal(String[] ids, List<List<Call>> calls, List<RecordedEvent> events,
                                                     JournalSummary journal, PersonalData personal) {
        for (List<Call> worker : calls) {
            for (Call call : worker) {
                String id = ids[call.i()];
                if (call.done()) {
                    RecordedEvent event = events.get((int) call.seq());
                    assertEquals(call.seq(), event.globalSeq());
                    if (call.change()) {
                        assertEquals(DomainEvents.ACCOUNT_EMAIL_CHANGED, event.type(), call.toString());
                        AccountEmailChanged changed = DomainEvents.parse(event, AccountEmailChanged.class);
                        assertEquals(id, changed.getAccountId(), call.toString());
                        assertEquals(call.email(), personal.open("email", changed.getEmail()), call.toString());
                        assertEquals(personal.streamName(Accounts.emailStream(call.email())), event.stream());
                    } else {
                        assertEquals(DomainEvents.ACCOUNT_CLOSED, event.type(), call.toString());
                        assertEquals(id, DomainEvents.parse(event, AccountClosed.class).getAccountId(), call.toString());
                        assertEquals(Accounts.accountStream(id), event.stream());
                    }
                } else if (call.outcome().equals("TAKEN")) {
                    Long reserved = journal.reservedAt().get(call.email());
                    assertNotNull(reserved, "EmailTaken but never reserved: " + call);
                    assertTrue(reserved < call.seq(), "EmailTaken before the address was reserved at " + reserved + ": " + call);
                } else {
                    Long closed = journal.closedAt().get(id);
                    assertNotNull(closed, "Closed but never closed: " + call);
                    assertTrue(closed < call.seq(), "Closed before the close at " + closed + ": " + call);
                }
            }
        }
    }

    /** The accounts incident itself: after the registration race, one account per address, each the winner's. */
    private void assertProjectionAgreesAfterRegistration(Path data, String[] ids) {
        try (Ledger ledger = Ledger.open(data, DomainEvents.register(LedgerConfig.builder()).build());
             ProjectionEngine engine = ProjectionEngine.start(ledger, dir.resolve("projections-after-registration"),
                     List.of(new AccountsProjection()))) {
            assertEquals(ACCOUNTS, ledger.head(), "losing registrations appended nothing");
            assertTrue(engine.awaitCaughtUp(Duration.ofSeconds(60)));
            AccountsQueries accounts = new AccountsQueries(engine, ledger);
            assertEquals(ACCOUNTS, accounts.count());
            for (int i = 0; i < ACCOUNTS; i++) {
                String email = "user" + i + "@example.com";
                assertEquals(ids[i], accounts.byEmail(email).orElseThrow().accountId(), email);
            }
        }
    }

    private void assertProjectionAgrees(Ledger ledger, String[] ids, Expected expected, JournalSummary journal) {
        Map<String, String> email = new HashMap<>();
        Map<String, Long> lastChange = new HashMap<>();
        for (int i = 0; i < ACCOUNTS; i++) {
            email.put(ids[i], "user" + i + "@example.com");
        }
        expected.changesDone().forEach((seq, call) -> {
            String id = ids[call.i()];
            if (seq > lastChange.getOrDefault(id, -1L)) {
                lastChange.put(id, seq);
                email.put(id, call.email());
            }
        });
        assertEquals(email, journal.currentEmail(), "the journal's last address of each account");
        try (ProjectionEngine engine = ProjectionEngine.start(ledger, dir.resolve("projections"),
                List.of(new AccountsProjection()))) {
            assertTrue(engine.awaitCaughtUp(Duration.ofSeconds(60)));
            AccountsQueries accounts = new AccountsQueries(engine, ledger);
            assertEquals(ACCOUNTS, accounts.count());
            assertEquals(List.of(), accounts.anomalies(), "no change or close the projection could not apply");
            List<AccountsQueries.Account> all = accounts.all();
            assertEquals(ACCOUNTS, all.size());
            for (AccountsQueries.Account account : all) {
                assertTrue(account.closed(), account.toString());
                assertEquals(email.get(account.accountId()), account.email(), account.toString());
                assertEquals(account.accountId(), accounts.byEmail(account.email()).orElseThrow().accountId(),
                        account.email());
            }
        }
    }

    private static List<RecordedEvent> readAll(Ledger ledger) {
        long head = ledger.head();
        List<RecordedEvent> events = new ArrayList<>();
        while (events.size() < head) {
            List<RecordedEvent> batch = ledger.read(events.size(), 4096);
            assertTrue(!batch.isEmpty(), "read stopped at " + events.size() + " of " + head);
            events.addAll(batch);
        }
        return events;
    }

    // ---- the journal checks, and tests that they fail when they should ----

    /**
     * What {@link #checkJournal} found: rule breaks (empty when the journal is sound), the counts of
     * each account event, each address's reserving {@code global_seq}, each account's close and last address.
     */
    record JournalSummary(List<String> violations, int registered, int changed, int closed, Map<String, Long> reservedAt,
                          Map<String, Long> closedAt, Map<String, String> currentEmail) {
    }

    /**
     * Replays account events in order and reports each one that breaks the account rules: dense
     * {@code global_seq}; an address reserved (registered or changed to) at most once and in its
     * {@code email-} stream; an account registered once; a change or close only of a registered
     * account; a close once, in its {@code account-} stream; no change after the close.
     */
    static JournalSummary checkJournal(List<RecordedEvent> events) {
        return checkJournal(events, null);
    }

    /** @param personal opens sealed addresses and names their reservation streams as stored; null for events in clear */
    static JournalSummary checkJournal(List<RecordedEvent> events, PersonalData personal) {
        List<String> violations = new ArrayList<>();
        Map<String, Long> reservedAt = new HashMap<>();
        Map<String, Long> registeredAt = new HashMap<>();
        Map<String, Long> closedAt = new HashMap<>();
        Map<String, String> currentEmail = new HashMap<>();
        int registered = 0;
        int changed = 0;
        int closed = 0;
        long expectedSeq = events.isEmpty() ? 0 : events.get(0).globalSeq();
        for (RecordedEvent event : events) {
            long seq = event.globalSeq();
            if (seq != expectedSeq) {
                violations.add("global_seq " + seq + " follows " + (expectedSeq - 1));
            }
            expectedSeq = seq + 1;
            switch (event.type()) {
                case DomainEvents.ACCOUNT_REGISTERED -> {
                    registered++;
                    AccountRegistered r = DomainEvents.parse(event, AccountRegistered.class);
                    reserve(violations, reservedAt, event, open(personal, "email", r.getEmail()), personal);
                    Long before = registeredAt.putIfAbsent(r.getAccountId(), seq);
                    if (before != null) {
                        violations.add("global_seq " + seq + ": account " + r.getAccountId() + " registered again (first at "
                                + before + ")");
                    } else {
                        currentEmail.put(r.getAccountId(), open(personal, "email", r.getEmail()));
                    }
                }
                case DomainEvents.ACCOUNT_EMAIL_CHANGED -> {
                    changed++;
                    AccountEmailChanged c = DomainEvents.parse(event, AccountEmailChanged.class);
                    reserve(violations, reservedAt, event, open(personal, "email", c.getEmail()), personal);
                    String id = c.getAccountId();
                    if (!registeredAt.containsKey(id)) {
                        violations.add("global_seq " + seq + ": account.email_changed of unknown account " + id);
                    } else if (closedAt.containsKey(id)) {
                        violations.add("global_seq " + seq + ": account.email_changed of account " + id
                                + " after its account.closed at global_seq " + closedAt.get(id));
                    } else {
                        currentEmail.put(id, open(personal, "email", c.getEmail()));
                    }
                }
                case DomainEvents.ACCOUNT_CLOSED -> {
                    closed++;
                    String id = DomainEvents.parse(event, AccountClosed.class).getAccountId();
                    if (!event.stream().equals(Accounts.accountStream(id))) {
                        violations.add("global_seq " + seq + ": account.closed of " + id + " in stream " + event.stream());
                    }
                    if (!registeredAt.containsKey(id)) {
                        violations.add("global_seq " + seq + ": account.closed of unknown account " + id);
                    }
                    Long before = closedAt.putIfAbsent(id, seq);
                    if (before != null) {
                        violations.add("global_seq " + seq + ": account " + id + " closed again (first at " + before + ")");
                    }
                }
                default -> violations.add("global_seq " + seq + ": unexpected type " + event.type());
            }
        }
        return new JournalSummary(violations, registered, changed, closed, reservedAt, closedAt, currentEmail);
    }

    private static String open(PersonalData personal, String field, String value) {
        return personal == null ? value : personal.open(field, value);
    }

    private static void reserve(List<String> violations, Map<String, Long> reservedAt, RecordedEvent event, String email,
                                PersonalData personal) {
        String stream = Accounts.emailStream(email);
        if (!event.stream().equals(personal == null ? stream : personal.streamName(stream))) {
            violations.add("global_seq " + event.globalSeq() + ": " + event.type() + " of " + email + " in stream "
                    + event.stream());
        }
        Long before = reservedAt.putIfAbsent(email, event.globalSeq());
        if (before != null) {
            violations.add("global_seq " + event.globalSeq() + ": " + event.type() + " takes " + email
                    + ", reserved at global_seq " + before);
        }
    }

    @Test
    void checkJournalShouldReportAChangeAfterAClose() {
        List<RecordedEvent> sound = new ArrayList<>();
        sound.add(registered(0, "a", "a@example.com"));
        sound.add(changed(1, "a", "b@example.com"));
        sound.add(closed(2, "a"));
        JournalSummary ok = checkJournal(sound);
        assertEquals(List.of(), ok.violations());
        assertEquals(Map.of("a", "b@example.com"), ok.currentEmail());

        List<RecordedEvent> late = new ArrayList<>(sound);
        late.add(changed(3, "a", "c@example.com"));
        JournalSummary broken = checkJournal(late);
        assertEquals(List.of("global_seq 3: account.email_changed of account a after its account.closed at global_seq 2"),
                broken.violations());
        assertEquals(Map.of("a", "b@example.com"), broken.currentEmail(), "the late change is not an address");
    }

    @Test
    void checkJournalShouldReportTakenAddressesSecondClosesAndUnknownAccounts() {
        JournalSummary broken = checkJournal(List.of(
                registered(0, "a", "a@example.com"),
                registered(1, "b", "a@example.com"),
                registered(2, "c", "c@example.com"),
                changed(3, "c", "a@example.com"),
                closed(4, "c"),
                closed(5, "c"),
                changed(6, "nobody", "n@example.com"),
                closed(8, "a")));
        assertEquals(List.of(
                "global_seq 1: account.registered takes a@example.com, reserved at global_seq 0",
                "global_seq 3: account.email_changed takes a@example.com, reserved at global_seq 0",
                "global_seq 5: account c closed again (first at 4)",
                "global_seq 6: account.email_changed of unknown account nobody",
                "global_seq 8 follows 6"), broken.violations());
    }

    /**
     * A ledger without the rules lets the Java client change a closed account's address; the
     * journal checks and {@link RuleAudit} both name that event. With the rules it is refused.
     */
    @Test
    void journalChecksAndRuleAuditShouldCatchAChangeAfterACloseWrittenWithoutRules() {
        LedgerConfig rules = DomainEvents.register(LedgerConfig.builder()).build();
        Accounts.Lookup open = id -> Optional.of(false);
        try (Ledger ledger = Ledger.open(dir.resolve("unruled"), DomainEvents.register(LedgerConfig.builder()).withoutRules()
                .build())) {
            Accounts accounts = new Accounts(ledger, open);
            String id = assertInstanceOf(Accounts.Done.class, accounts.register("x@example.com", "x")).accountId();
            assertInstanceOf(Accounts.Done.class, accounts.close(id));
            assertInstanceOf(Accounts.Done.class, accounts.changeEmail(id, "y@example.com"), "no rule stops it");

            JournalSummary journal = checkJournal(readAll(ledger), ledger.personalData());
            assertEquals(List.of("global_seq 2: account.email_changed of account " + id
                    + " after its account.closed at global_seq 1"), journal.violations());
            RuleAudit.Report audit = RuleAudit.run(ledger, rules);
            assertEquals(1, audit.violations().size(), audit.violations().toString());
            assertEquals(2, audit.violations().get(0).globalSeq());
            assertEquals(DomainEvents.ACCOUNT_EMAIL_CHANGED, audit.violations().get(0).rule());
        }
        try (Ledger ledger = Ledger.open(dir.resolve("ruled"), rules)) {
            Accounts accounts = new Accounts(ledger, open);
            String id = assertInstanceOf(Accounts.Done.class, accounts.register("x@example.com", "x")).accountId();
            assertInstanceOf(Accounts.Done.class, accounts.close(id));
            assertInstanceOf(Accounts.Closed.class, accounts.changeEmail(id, "y@example.com"));
            assertInstanceOf(Accounts.Closed.class, accounts.close(id));
            AppendResult direct = ledger.append(Accounts.emailStream("z@example.com"), ExpectedVersion.ANY,
                    DomainEvents.event(DomainEvents.ACCOUNT_EMAIL_CHANGED,
                            AccountEmailChanged.newBuilder().setAccountId(id).setEmail("z@example.com").build()));
            assertInstanceOf(AppendResult.RuleViolated.class, direct, "another producer is refused too");
            assertEquals(2, ledger.head());
            assertEquals(List.of(), checkJournal(readAll(ledger), ledger.personalData()).violations());
        }
    }

    private static RecordedEvent registered(long seq, String id, String email) {
        return recorded(seq, Accounts.emailStream(email), DomainEvents.event(DomainEvents.ACCOUNT_REGISTERED,
                AccountRegistered.newBuilder().setAccountId(id).setEmail(email).build()));
    }

    private static RecordedEvent changed(long seq, String id, String email) {
        return recorded(seq, Accounts.emailStream(email), DomainEvents.event(DomainEvents.ACCOUNT_EMAIL_CHANGED,
                AccountEmailChanged.newBuilder().setAccountId(id).setEmail(email).build()));
    }

    private static RecordedEvent closed(long seq, String id) {
        return recorded(seq, Accounts.accountStream(id), DomainEvents.event(DomainEvents.ACCOUNT_CLOSED,
                AccountClosed.newBuilder().setAccountId(id).build()));
    }

    private static RecordedEvent recorded(long seq, String stream, EventData data) {
        return new RecordedEvent(seq, stream, 0, data.eventId(), data.type(), ContentType.PROTOBUF, 0, "test",
                data.payload(), Map.of());
    }
}
