package dev.indelible.projections.reference;

import dev.indelible.ledger.Ledger;
import dev.indelible.projections.Keys;
import dev.indelible.projections.ProjectionEngine;
import dev.indelible.projections.ProjectionException;
import dev.indelible.projections.ProjectionState;
import dev.indelible.projections.proto.AccountState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Typed queries of the {@code accounts} projection; each runs on one consistent snapshot. Also the
 * {@link Accounts.Lookup} the client uses, after waiting until the projection has applied every
 * event appended before the call (read-your-writes).
 *
 * <p>Thread-safe.
 */
public final class AccountsQueries implements Accounts.Lookup {

    private static final Duration CATCH_UP = Duration.ofSeconds(30);

    private final ProjectionEngine engine;
    private final Ledger ledger;

    public AccountsQueries(ProjectionEngine engine, Ledger ledger) {
        this.engine = engine;
        this.ledger = ledger;
    }

    /** The account registered under an address (normalised first), if any. */
    public Optional<Account> byEmail(String email) {
        String address = Names.normalizeEmailOrNull(email);
        if (address == null) {
            return Optional.empty();
        }
        return engine.read(AccountsProjection.NAME, s -> {
            byte[] id = s.get(AccountsProjection.email(address));
            return id == null ? Optional.empty() : byId(s, new String(id, StandardCharsets.UTF_8));
        });
    }

    public Optional<Account> byId(String accountId) {
        return engine.read(AccountsProjection.NAME, s -> byId(s, accountId));
    }

    /** Every account, by id: for exports. */
    public List<Account> all() {
        return engine.read(AccountsProjection.NAME, s -> {
            List<Account> accounts = new ArrayList<>();
            s.scan(Keys.of('a').build(), (key, value) -> {
                AccountState a = AccountsProjection.parse(value);
                return accounts.add(new Account(a.getAccountId(), a.getEmail(), a.getDisplayName(), a.getClosed(),
                        a.getRegisteredSeq()));
            });
            return accounts;
        });
    }

    public long count() {
        return engine.read(AccountsProjection.NAME, s -> s.getLong(AccountsProjection.COUNT));
    }

    /** Events the projection could not apply as accounts (changes to unknown or closed accounts). */
    public List<String> anomalies() {
        return engine.read(AccountsProjection.NAME, s -> {
            List<String> texts = new ArrayList<>();
            s.scan(Keys.of('x').build(), (key, value) -> texts.add(new String(value, StandardCharsets.UTF_8)));
            return texts;
        });
    }

    @Override
    public Optional<Boolean> isClosed(String accountId) {
        if (!engine.awaitPosition(AccountsProjection.NAME, ledger.head(), CATCH_UP)) {
            throw new ProjectionException("the accounts projection did not catch up within " + CATCH_UP
                    + ": " + engine.status(AccountsProjection.NAME));
        }
        return byId(accountId).map(Account::closed);
    }

    static Optional<Account> byId(ProjectionState state, String accountId) {
        byte[] bytes = state.get(AccountsProjection.account(accountId));
        if (bytes == null) {
            return Optional.empty();
        }
        AccountState a = AccountsProjection.parse(bytes);
        return Optional.of(new Account(a.getAccountId(), a.getEmail(), a.getDisplayName(), a.getClosed(), a.getRegisteredSeq()));
    }

    public record Account(String accountId, String email, String displayName, boolean closed, long registeredSeq) {
    }
}
