package dev.indelible.projections.reference;

import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.Ledger;
import dev.indelible.projections.proto.AccountClosed;
import dev.indelible.projections.proto.AccountEmailChanged;
import dev.indelible.projections.proto.AccountRegistered;

import java.util.Optional;
import java.util.UUID;

/**
 * User accounts with one account per email address, enforced at append time.
 *
 * <p>Design note: the registration is the reservation. {@code account.registered} is appended to
 * {@code email-<normalised address>} with {@code NO_STREAM}, one atomic append, so two registrations
 * of one address never both succeed, across threads, processes and restarts (there is no window
 * between reserving and registering). A change of address reserves the new one the same way, on
 * condition that {@code account-<id>} does not exist: closing appends there with {@code NO_STREAM},
 * so an account closes once and a closed account never changes its address. The ledger enforces
 * these rules ({@link DomainRules}) for every producer; this class only chooses the events.
 * Addresses are never released, not even by closing, nor by erasing the account: the
 * reservation is named by a keyed hash of the address, which the erasure leaves in place.
 *
 * <p>Thread-safe.
 */
public final class Accounts {

    private final Ledger ledger;
    private final Lookup lookup;

    /** @param lookup finds accounts by id for {@link #changeEmail} and {@link #close}, e.g. {@link AccountsQueries} */
    public Accounts(Ledger ledger, Lookup lookup) {
        this.ledger = ledger;
        this.lookup = lookup;
    }

    /** The reservation streams' prefix: registered as personal, so the ledger stores them by a keyed hash. */
    public static final String EMAIL_STREAM_PREFIX = "email-";

    /**
     * The reservation stream of an address, as appends and reads name it. The ledger stores it as
     * {@code email-<HMAC-SHA-256 of the address with its secret, hex>}
     * ({@link dev.indelible.ledger.PersonalData#streamName}), so the address is in no stream name and
     * the reservation outlives an erasure of the account.
     */
    public static String emailStream(String normalizedEmail) {
        return EMAIL_STREAM_PREFIX + normalizedEmail;
    }

    public static String accountStream(String accountId) {
        return "account-" + accountId;
    }

    /** Registers a new account under a normalised (trimmed, lower-cased) address. */
    public Result register(String email, String displayName) {
        String address = Names.email("email", email);
        String accountId = UUID.randomUUID().toString();
        AccountRegistered registered = AccountRegistered.newBuilder().setAccountId(accountId).setEmail(address)
                .setDisplayName(displayName == null ? "" : displayName.strip()).build();
        AppendResult result = DomainRules.append(ledger, DomainEvents.event(DomainEvents.ACCOUNT_REGISTERED, registered));
        return result instanceof AppendResult.Appended a ? new Done(accountId, a.firstGlobalSeq()) : new EmailTaken(address);
    }

    /**
     * Moves an open account to a new address, which must be free. Whether the account is closed is
     * decided by the ledger with the append, so a concurrent {@link #close} cannot slip between.
     */
    public Result changeEmail(String accountId, String newEmail) {
        Require.text("account_id", accountId);
        String address = Names.email("email", newEmail);
        if (lookup.isClosed(accountId).isEmpty()) {
            return new UnknownAccount(accountId);
        }
        AccountEmailChanged changed = AccountEmailChanged.newBuilder().setAccountId(accountId).setEmail(address).build();
        AppendResult result = DomainRules.append(ledger, DomainEvents.event(DomainEvents.ACCOUNT_EMAIL_CHANGED, changed));
        if (result instanceof AppendResult.Appended a) {
            return new Done(accountId, a.firstGlobalSeq());
        }
        return result instanceof AppendResult.RuleViolated ? new Closed(accountId) : new EmailTaken(address);
    }

    /** Closes an account, once. */
    public Result close(String accountId) {
        Require.text("account_id", accountId);
        if (lookup.isClosed(accountId).isEmpty()) {
            return new UnknownAccount(accountId);
        }
        AppendResult result = DomainRules.append(ledger,
                DomainEvents.event(DomainEvents.ACCOUNT_CLOSED, AccountClosed.newBuilder().setAccountId(accountId).build()));
        return result instanceof AppendResult.Appended a ? new Done(accountId, a.firstGlobalSeq()) : new Closed(accountId);
    }

    /** Finds accounts by id. */
    @FunctionalInterface
    public interface Lookup {
        /** Empty when no such account exists; otherwise whether it is closed. */
        Optional<Boolean> isClosed(String accountId);
    }

    /** What a call did: {@link Done}, or why nothing was appended. */
    public sealed interface Result permits Done, EmailTaken, UnknownAccount, Closed {
    }

    public record Done(String accountId, long globalSeq) implements Result {
    }

    public record EmailTaken(String email) implements Result {
    }

    public record UnknownAccount(String accountId) implements Result {
    }

    public record Closed(String accountId) implements Result {
    }
}
