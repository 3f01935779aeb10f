package dev.indelible.projections.reference;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.indelible.ledger.RecordedEvent;
import dev.indelible.projections.Keys;
import dev.indelible.projections.Projection;
import dev.indelible.projections.ProjectionBatch;
import dev.indelible.projections.ProjectionException;
import dev.indelible.projections.proto.AccountClosed;
import dev.indelible.projections.proto.AccountEmailChanged;
import dev.indelible.projections.proto.AccountRegistered;
import dev.indelible.projections.proto.AccountState;

import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * The {@code accounts} reference projection: accounts by id and by email, and their count. Queries
 * are in {@link AccountsQueries}.
 *
 * <pre>{@code
 * 'a' account_id    -> AccountState (email and display_name as appended: sealed)
 * 'e' email stream  -> account_id (UTF-8); the reservation stream as stored, a keyed hash of the address
 * 'n'             -> count of accounts registered
 * 'x' global_seq  -> anomaly text: a change to an unknown or closed account, kept for inspection
 * }</pre>
 *
 * <p>Design note: no personal data in clear is stored here, so an erasure needs no rewrite and a
 * rebuild gives the same digest before and after one; {@link AccountsQueries} opens the sealed
 * values at answer time.
 *
 * <p>Not thread-safe (the engine applies on one thread); holds no state of its own.
 */
public final class AccountsProjection implements Projection {

    public static final String NAME = "accounts";

    static final byte[] COUNT = Keys.of('n').build();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int version() {
        return 2;
    }

    @Override
    public Set<String> eventTypes() {
        return Set.of(DomainEvents.ACCOUNT_REGISTERED, DomainEvents.ACCOUNT_EMAIL_CHANGED, DomainEvents.ACCOUNT_CLOSED);
    }

    @Override
    public void apply(RecordedEvent event, ProjectionBatch batch) {
        switch (event.type()) {
            case DomainEvents.ACCOUNT_REGISTERED -> register(event, batch);
            case DomainEvents.ACCOUNT_EMAIL_CHANGED -> changeEmail(event, batch);
            default -> close(event, batch);
        }
    }

    private static void register(RecordedEvent event, ProjectionBatch batch) {
        AccountRegistered r = DomainEvents.parse(event, AccountRegistered.class);
        if (batch.get(account(r.getAccountId())) != null) {
            anomaly(batch, event, "account.registered reuses account id " + r.getAccountId());
            return;
        }
        AccountState state = AccountState.newBuilder().setAccountId(r.getAccountId()).setEmail(r.getEmail())
                .setDisplayName(r.getDisplayName()).setRegisteredSeq(event.globalSeq()).setEmailStream(event.stream()).build();
        batch.put(account(r.getAccountId()), state.toByteArray());
        batch.put(email(event.stream()), r.getAccountId().getBytes(StandardCharsets.UTF_8));
        batch.add(COUNT, 1);
    }

    private static void changeEmail(RecordedEvent event, ProjectionBatch batch) {
        AccountEmailChanged c = DomainEvents.parse(event, AccountEmailChanged.class);
        AccountState state = read(batch, c.getAccountId());
        if (state == null || state.getClosed()) {
            anomaly(batch, event, "account.email_changed for " + (state == null ? "unknown" : "closed")
                    + " account " + c.getAccountId());
            return;
        }
        batch.delete(email(state.getEmailStream()));
        batch.put(email(event.stream()), c.getAccountId().getBytes(StandardCharsets.UTF_8));
        batch.put(account(c.getAccountId()), state.toBuilder().setEmail(c.getEmail()).setEmailStream(event.stream())
                .build().toByteArray());
    }

    private static void close(RecordedEvent event, ProjectionBatch batch) {
        AccountClosed c = DomainEvents.parse(event, AccountClosed.class);
        AccountState state = read(batch, c.getAccountId());
        if (state == null || state.getClosed()) {
            anomaly(batch, event, "account.closed for " + (state == null ? "unknown" : "closed") + " account " + c.getAccountId());
            return;
        }
        batch.put(account(c.getAccountId()), state.toBuilder().setClosed(true).build().toByteArray());
    }

    private static AccountState read(ProjectionBatch batch, String accountId) {
        byte[] bytes = batch.get(account(accountId));
        return bytes == null ? null : parse(bytes);
    }

    static AccountState parse(byte[] bytes) {
        try {
            return AccountState.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new ProjectionException("accounts holds an unreadable account", e);
        }
    }

    private static void anomaly(ProjectionBatch batch, RecordedEvent event, String text) {
        batch.put(Keys.of('x').i64(event.globalSeq()).build(), text.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] account(String accountId) {
        return Keys.of('a').string(accountId).build();
    }

    /** @param storedEmailStream the reservation stream as the ledger stores it */
    static byte[] email(String storedEmailStream) {
        return Keys.of('e').string(storedEmailStream).build();
    }
}
