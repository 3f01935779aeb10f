package dev.indelible.projections.reference;

import dev.indelible.ledger.Ledger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * Appends a seeded, reproducible mix of every domain event through the client API: the workload of
 * the determinism and crash tests. Remembers what it created so later events refer to it.
 *
 * <p>Not thread-safe: one generator per producing thread.
 */
public final class MixedEvents {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private final Random random;
    private final String tag;
    private final Selfies selfies;
    private final Messages messages;
    private final Community community;
    private final Videos videos;
    private final Accounts accounts;
    private final Map<String, Boolean> accountClosed = new HashMap<>();
    private final List<String> accountIds = new ArrayList<>();
    private final List<String> members = new ArrayList<>();
    private final List<String> prayers = new ArrayList<>();
    private long n;

    /** @param tag makes names unique between generators appending to one journal */
    public MixedEvents(Ledger ledger, long seed, String tag) {
        this.random = new Random(seed);
        this.tag = tag;
        this.selfies = new Selfies(ledger);
        this.messages = new Messages(ledger);
        this.community = new Community(ledger);
        this.videos = new Videos(ledger);
        this.accounts = new Accounts(ledger, id -> Optional.ofNullable(accountClosed.get(id)));
    }

    /** Makes one client call (which may append nothing, e.g. a taken email); returns this. */
    public MixedEvents next() {
        n++;
        int dice = random.nextInt(100);
        Instant at = T0.plusSeconds(n);
        if (dice < 35) {
            selfies.submit(1 + random.nextInt(500), random.nextBoolean() ? "photo" : "video", tag + "f" + n, at);
        } else if (dice < 70) {
            messages.post(tag + "m" + n, "p" + random.nextInt(5), "c" + random.nextInt(20), "u" + random.nextInt(300), at);
        } else if (dice < 80) {
            community();
        } else if (dice < 90) {
            account();
        } else {
            video();
        }
        return this;
    }

    private void community() {
        int dice = random.nextInt(3);
        if (dice == 0 || members.isEmpty()) {
            String name = tag + "member" + n;
            String inviter = members.isEmpty() || random.nextInt(10) == 0 ? null : pick(members);
            if (community.join(name, inviter) instanceof Community.Done) {
                members.add(name);
            }
        } else if (dice == 1 || prayers.isEmpty()) {
            if (community.submitPrayer(pick(members), "prayer " + n) instanceof Community.Done done) {
                prayers.add(done.id());
            }
        } else {
            community.markPrayed(pick(prayers), pick(members));
        }
    }

    private void account() {
        int dice = random.nextInt(10);
        if (dice < 6 || accountIds.isEmpty()) {
            // A small address space, so some registrations find the address taken.
            String email = tag + "user" + random.nextInt(5_000) + "@example.com";
            if (accounts.register(email, "User " + n) instanceof Accounts.Done done) {
                accountIds.add(done.accountId());
                accountClosed.put(done.accountId(), false);
            }
        } else if (dice < 9) {
            accounts.changeEmail(pick(accountIds), tag + "moved" + n + "@example.com");
        } else {
            String id = pick(accountIds);
            if (accounts.close(id) instanceof Accounts.Done) {
                accountClosed.put(id, true);
            }
        }
    }

    private void video() {
        String id = tag + "v" + random.nextInt(2_000);
        if (random.nextInt(10) == 0) {
            videos.remove(id);
        } else {
            videos.recordProcessed(id, "https://example.com/" + id, "Video " + n,
                    "{\"frames\": " + random.nextInt(10_000) + ", \"ok\": " + random.nextBoolean() + "}");
        }
    }

    private String pick(List<String> from) {
        return from.get(random.nextInt(from.size()));
    }
}
