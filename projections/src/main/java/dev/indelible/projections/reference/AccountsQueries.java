package dev.indelible.projections.reference;

import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.PersonalData;
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
 * Typed queries of the {@code accounts} projection; each runs on one consistent snapshot. Sealed
 * personal fields are opened at answer time, {@link PersonalData#ERASED} once the account is erased;
 * an address is found by its keyed hash, as the ledger names its reservation stream. Also the
 * {@link Accounts.Lookup} the client uses, after waiting until the projection has applied every
 * event appended before the call (read-your-writes).
 *
 * <p>Thread-safe.
 */
public final class AccountsQueries implements Accounts.Lookup {

    private static final Duration CATCH_UP = Duration.ofSeconds(30);

    private final ProjectionEngine engine;
    private final PersonalData personal;

    public AccountsQueries(ProjectionEngine engine, Ledger ledger) {
        this(engine, ledger.personalData());
    }

    /** @param personal opens sealed fields; may be null for {@link #count()} alone */
    public AccountsQueries(ProjectionEngine engine, PersonalData personal) {
        this.engine = engine;
        this.personal = personal;
    }

    /** The account registered under an address (normalised first), if any. */
    public Optional<Account> byEmail(String email) {
        String address = Names.normalizeEmailOrNull(email);
        if (address == null) {
            return Optional.empty();
        }
        String stored = personal.streamName(Accounts.emailStream(address));
        return engine.read(AccountsProjection.NAME, s -> {
            byte[] id = s.get(AccountsProjection.email(stored));
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
                return accounts.add(account(AccountsProjection.parse(value)));
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
        // every partition's head, so the accounts' own partition too, whichever it is
        if (!engine.awaitCaughtUp(AccountsProjection.NAME, CATCH_UP)) {
            throw new ProjectionException("the accounts projection did not catch up within " + CATCH_UP
                    + ": " + engine.status(AccountsProjection.NAME));
        }
        return byId(accountId).map(Account::closed);
    }

    private Optional<Account> byId(ProjectionState state, String accountId) {
        byte[] bytes = state.get(AccountsProjection.account(accountId));
        return bytes == null ? Optional.empty() : Optional.of(account(AccountsProjection.parse(bytes)));
    }

    private Account account(AccountState a) {
        return new Account(a.getAccountId(), personal.open("email", a.getEmail()),
                personal.open("display_name", a.getDisplayName()), a.getClosed(), a.getRegisteredSeq());
    }

    /** An account; {@code email} and {@code displayName} read {@link PersonalData#ERASED} once it is erased. */
    public record Account(String accountId, String email, String displayName, boolean closed, long registeredSeq) {
    }
}
