package dev.indelible.projections.reference;

import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

/**
 * A child process of {@link AccountsRaceTest}: over every account (index {@code i} is the account
 * registered as {@code user<i>@example.com}) in its own order, it closes the account once and tries
 * one or two address changes before or after, to {@code alt<k>@example.com} with {@code k} near
 * {@code i} (so siblings working on nearby accounts want the same addresses at the same time) or,
 * one time in eight, to a registered {@code user<j>@example.com}, which is never free.
 *
 * <p>The accounts are visited in windows of {@value #WINDOW} in the same window order as the
 * siblings but shuffled within each window, so the eight processes work on the same accounts at
 * about the same moment. It opens the ledger, makes one warm-up call (a change of account 0 to the
 * taken {@code user1@example.com}), prints {@code READY} and then waits for the parent to release
 * its exclusive lock on {@code goLock} (an OS-level start barrier, no sleeping).
 *
 * <p>Output, one line per call in call order:
 * <pre>
 * WARMUP &lt;outcome&gt;
 * READY
 * CHANGE &lt;i&gt; &lt;email&gt; DONE &lt;global_seq&gt;      (TAKEN|CLOSED|UNKNOWN) &lt;head read after the answer&gt;
 * CLOSE &lt;i&gt; DONE &lt;global_seq&gt;              (CLOSED|TAKEN|UNKNOWN) &lt;head read after the answer&gt;
 * COUNTS changes &lt;attempts&gt; &lt;done&gt; &lt;taken&gt; &lt;closed&gt; closes &lt;attempts&gt; &lt;done&gt; &lt;closed&gt; other &lt;n&gt;
 * </pre>
 *
 * <p>Usage: {@code AccountsRaceWorker <dataDir> <accountsFile> <altPool> <seed> <goLock>}
 */
public final class AccountsRaceWorker {
    static final int WINDOW = 20;

    private AccountsRaceWorker() {
    }

    public static void main(String[] args) throws IOException {
        Path data = Path.of(args[0]);
        List<String> ids = Files.readAllLines(Path.of(args[1]));
        int altPool = Integer.parseInt(args[2]);
        Random random = new Random(Long.parseLong(args[3]));
        Path goLock = Path.of(args[4]);
        Set<String> known = new HashSet<>(ids);
        List<Integer> order = windowedOrder(ids.size(), random);

        StringBuilder out = new StringBuilder(64 * 4 * ids.size());
        int changes = 0;
        int changesDone = 0;
        int changesTaken = 0;
        int changesClosed = 0;
        int closes = 0;
        int closesDone = 0;
        int closesClosed = 0;
        int other = 0;
        try (Ledger ledger = Ledger.open(data, DomainEvents.register(LedgerConfig.builder()).build())) {
            Accounts accounts = new Accounts(ledger, id -> known.contains(id) ? Optional.of(false) : Optional.empty());
            System.out.println("WARMUP " + outcome(accounts.changeEmail(ids.get(0), "user1@example.com")));
            System.out.println("READY");
            System.out.flush();
            awaitGo(goLock);
            for (int i : order) {
                String id = ids.get(i);
                int changeCount = 1 + random.nextInt(2);
                int closeAt = random.nextInt(changeCount + 1); // position of the close among the calls
                for (int call = 0; call <= changeCount; call++) {
                    if (call == closeAt) {
                        closes++;
                        Accounts.Result result = accounts.close(id);
                        out.append("CLOSE ").append(i).append(' ').append(outcome(result)).append(' ')
                                .append(result instanceof Accounts.Done d ? d.globalSeq() : ledger.head()).append('\n');
                        if (result instanceof Accounts.Done) {
                            closesDone++;
                        } else if (result instanceof Accounts.Closed) {
                            closesClosed++;
                        } else {
                            other++;
                        }
                    } else {
                        changes++;
                        String email = random.nextInt(8) == 0
                                ? "user" + random.nextInt(ids.size()) + "@example.com"
                                : "alt" + Math.floorMod(i + random.nextInt(2 * WINDOW + 1) - WINDOW, altPool) + "@example.com";
                        Accounts.Result result = accounts.changeEmail(id, email);
                        out.append("CHANGE ").append(i).append(' ').append(email).append(' ').append(outcome(result))
                                .append(' ').append(result instanceof Accounts.Done d ? d.globalSeq() : ledger.head())
                                .append('\n');
                        if (result instanceof Accounts.Done) {
                            changesDone++;
                        } else if (result instanceof Accounts.EmailTaken) {
                            changesTaken++;
                        } else if (result instanceof Accounts.Closed) {
                            changesClosed++;
                        } else {
                            other++;
                        }
                    }
                }
            }
        }
        System.out.print(out);
        System.out.println("COUNTS changes " + changes + " " + changesDone + " " + changesTaken + " " + changesClosed
                + " closes " + closes + " " + closesDone + " " + closesClosed + " other " + other);
        System.out.flush();
    }

    /** The account indices window by window, in the common window order, shuffled within each window. */
    static List<Integer> windowedOrder(int count, Random random) {
        List<Integer> order = new ArrayList<>(count);
        for (int start = 0; start < count; start += WINDOW) {
            List<Integer> window = new ArrayList<>();
            for (int i = start; i < Math.min(count, start + WINDOW); i++) {
                window.add(i);
            }
            Collections.shuffle(window, random);
            order.addAll(window);
        }
        return order;
    }

    /** Blocks until the parent releases its exclusive lock on {@code goLock}. */
    private static void awaitGo(Path goLock) throws IOException {
        try (FileChannel channel = FileChannel.open(goLock, StandardOpenOption.READ)) {
            FileLock shared = channel.lock(0, Long.MAX_VALUE, true); // blocks while the parent holds its lock
            shared.release();
        }
    }

    static String outcome(Accounts.Result result) {
        if (result instanceof Accounts.Done) {
            return "DONE";
        }
        if (result instanceof Accounts.EmailTaken) {
            return "TAKEN";
        }
        return result instanceof Accounts.Closed ? "CLOSED" : "UNKNOWN";
    }
}
