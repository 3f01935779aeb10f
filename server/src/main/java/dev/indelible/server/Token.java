package dev.indelible.server;

import dev.indelible.ledger.Operations;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A token as stored: its name, the stream patterns and verbs it is allowed, never the secret.
 * A pattern is a stream name, or a prefix ending in {@code *} ({@code selfies-*}), or {@code *}.
 *
 * @param revokedAt null while the token is valid
 */
public record Token(String name, String id, List<String> streams, Set<Verb> verbs, Instant createdAt, Instant revokedAt) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern STREAM_PATTERN = Pattern.compile("[^*\\s]{0,200}\\*?");

    public Token {
        streams = List.copyOf(streams);
        verbs = Set.copyOf(verbs);
    }

    public boolean revoked() {
        return revokedAt != null;
    }

    /**
     * Whether this token may do {@code verb} on {@code stream}; with {@code null}, whether it may
     * do the verb at all (reads of many streams then leave out the streams it may not read).
     */
    public boolean allows(Verb verb, String stream) {
        if (!holds(verb)) {
            return false;
        }
        if (stream == null) {
            return true; // the verb at all: a caller reading many streams filters each
        }
        if (verb == Verb.APPEND && isAuditStream(stream) && !verbs.contains(Verb.ADMIN)) {
            return false; // a forged ops.erase would destroy a subject's key: the trail is the operators'
        }
        for (int i = 0; i < streams.size(); i++) { // checked for every append: no iterator, no substring
            String pattern = streams.get(i);
            int last = pattern.length() - 1;
            if (last >= 0 && pattern.charAt(last) == '*' ? stream.regionMatches(0, pattern, 0, last) : stream.equals(pattern)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the token may {@code verb} every stream {@code streams} names: a stream name, or a
     * {@code prefix*} pattern that one of its own patterns must cover whole.
     */
    public boolean allowsEvery(Verb verb, String streams) {
        if (!streams.endsWith("*")) {
            return allows(verb, streams);
        }
        if (!holds(verb)) {
            return false;
        }
        String prefix = streams.substring(0, streams.length() - 1);
        return this.streams.stream().anyMatch(p -> p.endsWith("*") && prefix.startsWith(p.substring(0, p.length() - 1)));
    }

    /**
     * Whether {@code stream} is one of the ledger's audit streams ({@link Operations#STREAM_PREFIX}):
     * only a token with {@link Verb#ADMIN} appends to them, whatever its stream patterns.
     */
    public static boolean isAuditStream(String stream) {
        return stream.startsWith(Operations.STREAM_PREFIX);
    }

    /** Valid and given {@code verb}, or {@link Verb#ADMIN} when the verb is one an admin implies. */
    private boolean holds(Verb verb) {
        return !revoked() && (verbs.contains(verb) || verb.impliedByAdmin() && verbs.contains(Verb.ADMIN));
    }

    static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("name: 1-64 of [A-Za-z0-9._-], starting with a letter or digit, was '" + name + "'");
        }
        return name;
    }

    static List<String> checkStreams(List<String> streams) {
        if (streams == null || streams.isEmpty()) {
            throw new IllegalArgumentException("streams: give at least one stream, prefix* or *");
        }
        for (String pattern : streams) {
            if (pattern.isEmpty() || !STREAM_PATTERN.matcher(pattern).matches()) {
                throw new IllegalArgumentException("streams: '" + pattern + "' must be a stream name, a prefix ending in * or *");
            }
        }
        return streams;
    }
}
