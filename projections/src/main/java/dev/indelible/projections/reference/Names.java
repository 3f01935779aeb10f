package dev.indelible.projections.reference;

import java.text.Normalizer;
import java.util.Locale;

/**
 * The one way usernames and email addresses are normalised before they name a stream or a key, so
 * "Max" and "max" are one member and "Alice@Example.com " and "alice@example.com" one account.
 *
 * <p>Stateless and thread-safe.
 */
public final class Names {

    public static final String USERNAME_RULE =
            "NFKC, trimmed, lower-cased; 1 to 64 letters, digits, '_', '.' or '-'";
    public static final String EMAIL_RULE = "trimmed, lower-cased; one '@' with text on both sides; at most 254 characters";

    private Names() {
    }

    /** The normalised username, or {@code null} when the text cannot be one. */
    public static String normalizeUsernameOrNull(String raw) {
        if (raw == null) {
            return null;
        }
        String name = Normalizer.normalize(raw, Normalizer.Form.NFKC).strip().toLowerCase(Locale.ROOT);
        if (name.isEmpty() || name.length() > 64) {
            return null;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!Character.isLetterOrDigit(c) && c != '_' && c != '.' && c != '-') {
                return null;
            }
        }
        return name;
    }

    /** The normalised address, or {@code null} when the text is not one. */
    public static String normalizeEmailOrNull(String raw) {
        if (raw == null) {
            return null;
        }
        String email = raw.strip().toLowerCase(Locale.ROOT);
        int at = email.indexOf('@');
        if (email.length() > 254 || at <= 0 || at != email.lastIndexOf('@') || at == email.length() - 1
                || email.chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
            return null;
        }
        return email;
    }

    /** As {@link #normalizeUsernameOrNull}, or an {@link IllegalArgumentException} naming {@code field}. */
    public static String username(String field, String raw) {
        String name = normalizeUsernameOrNull(raw);
        if (name == null) {
            throw new dev.indelible.ledger.InvalidEventException(field, "is not a username (" + USERNAME_RULE + "): " + raw);
        }
        return name;
    }

    /** As {@link #normalizeEmailOrNull}, or an {@link IllegalArgumentException} naming {@code field}. */
    public static String email(String field, String raw) {
        String email = normalizeEmailOrNull(raw);
        if (email == null) {
            throw new dev.indelible.ledger.InvalidEventException(field, "is not an email address (" + EMAIL_RULE + "): " + raw);
        }
        return email;
    }
}
