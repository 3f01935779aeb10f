package dev.indelible.projections.reference;

import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * A child process that registers the same addresses as its siblings, in its own order, and prints
 * {@code REGISTERED <n> TAKEN <m>}, then one {@code OK <email> <account id>} line per address it won.
 *
 * <p>Usage: {@code RegisterWorker <dataDir> <addresses> <seed>}
 */
public final class RegisterWorker {
    private RegisterWorker() {
    }

    public static void main(String[] args) {
        Path data = Path.of(args[0]);
        int addresses = Integer.parseInt(args[1]);
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < addresses; i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(Long.parseLong(args[2])));
        int registered = 0;
        int taken = 0;
        List<String> won = new ArrayList<>();
        try (Ledger ledger = Ledger.open(data, DomainEvents.register(LedgerConfig.builder()).build())) {
            Accounts accounts = new Accounts(ledger, id -> Optional.empty());
            for (int i : order) {
                String email = "User" + i + "@Example.com";
                Accounts.Result result = accounts.register(email, "user " + i);
                if (result instanceof Accounts.Done done) {
                    registered++;
                    won.add("OK user" + i + "@example.com " + done.accountId());
                } else if (result instanceof Accounts.EmailTaken) {
                    taken++;
                } else {
                    throw new IllegalStateException("unexpected " + result);
                }
            }
        }
        System.out.println("REGISTERED " + registered + " TAKEN " + taken);
        won.forEach(System.out::println);
        System.out.flush();
    }
}
