package dev.indelible.server;

import java.util.Locale;

/** What a token may do. */
public enum Verb {
    /** POST /streams/{stream} on its streams. */
    APPEND,
    /** GET /streams/{stream} on its streams; GET /events when its streams are {@code *}. */
    READ,
    /** GET /projections/{name}: the reference queries. */
    QUERY,
    /** GET /status and GET /metrics. */
    STATUS,
    /**
     * The web console ({@code /console/}): sign-in, managing tokens, verifying the journal,
     * rebuilding and rolling back projections. It also allows
     * {@link #READ}, {@link #QUERY} and {@link #STATUS} on every stream, what the console shows;
     * an admin token's streams are {@code *}. Appending still needs {@link #APPEND}.
     */
    ADMIN;

    /** Whether an {@link #ADMIN} token may do this verb without holding it: the reads the console shows. */
    boolean impliedByAdmin() {
        return this == READ || this == QUERY || this == STATUS;
    }

    /** The lower-case name used on the command line and in the token file. */
    public String text() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Verb parse(String text) {
        try {
            return valueOf(text.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("verbs: unknown verb '" + text + "' (known: append, read, query, status, admin)");
        }
    }
}
