package dev.indelible.ledger;

import dev.indelible.ledger.internal.keys.JsonPersonalFields;
import java.util.Set;

/**
 * Which fields of an event type hold personal data, and which data subject (an account, a member)
 * they belong to. Registered per type with {@link LedgerConfig.Builder#personalFields}, beside the
 * type's validator and rule: after both accepted an event, the ledger seals each personal field
 * with the subject's key before the event is encoded, for every producer. Erasing the subject
 * ({@link PersonalData#erase}) destroys the key, and with it every sealed value of the subject.
 *
 * <pre>{@code
 * builder.personalFields("customer.added", PersonalFields.json("customer-", "customer_id", "email", "name"));
 * }</pre>
 *
 * <p>Implementations must be thread-safe and deterministic: the same event must give the same
 * payload, so a retry is recognised as a duplicate.
 */
public interface PersonalFields {

    /**
     * The data subject the event's personal fields belong to, e.g. {@code account-<account_id>}. It
     * is stored in clear in every sealed value, so it must not itself be personal.
     *
     * @throws InvalidEventException naming the payload field when the event names no subject
     */
    String subject(EventData event);

    /** The payload with the value of each non-empty personal field replaced by {@code sealer.seal(field, value)}. */
    byte[] seal(EventData event, Sealer sealer);

    /** Seals one value of one field: what the ledger hands to {@link #seal}. */
    @FunctionalInterface
    interface Sealer {
        /** The sealed form of {@code value} (a string beginning {@code enc:v1:}); a sealed value is returned as it is. */
        String seal(String field, String value);
    }

    /**
     * The personal fields of a JSON object event: top-level string fields {@code fields}; the subject
     * is {@code subjectPrefix} and the value of {@code subjectField}.
     */
    static PersonalFields json(String subjectPrefix, String subjectField, String... fields) {
        return new JsonPersonalFields(subjectPrefix, subjectField, Set.of(fields));
    }
}
