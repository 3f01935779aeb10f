package dev.indelible.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.indelible.ledger.AtomicFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The server's tokens, in {@code <data>/server/tokens.json} (0600). A token is
 * {@code idl_<id>_<secret>}: 16 hex digits that find its entry, then 256 random bits. Only a salted
 * SHA-256 of the whole token is stored, compared in constant time; the secret is shown once, at
 * creation. A random 256-bit secret needs no slow hash: there is nothing to guess a dictionary of.
 *
 * <p>Thread-safe. The file is re-read when it changes, so {@code indelible token revoke} takes
 * effect in a running server at its next request. Requests take no lock: each looks at the file's
 * time and checks its hash against the tokens last read, which are replaced whole; only re-reading
 * and writing the file are serialised, so concurrent requests do not queue behind one another or
 * behind a token being created.
 */
public final class Tokens {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HexFormat HEX = HexFormat.of();

    private final Path file;
    private volatile Loaded loaded = new Loaded(Map.of(), null);

    /** The tokens as read from the file when it was {@code stamp} (null: there was no file). */
    private record Loaded(Map<String, Entry> byId, Stamp stamp) {
    }

    /**
     * Which file was read: its time alone misses a revoke in the same clock tick as the write before
     * (file times advance by the kernel's tick), so the inode (a write replaces the file) and size too.
     */
    private record Stamp(Object fileKey, FileTime modified, long size) {
    }

    private Tokens(Path file) {
        this.file = file;
    }

    /** The tokens of the data directory {@code dataDir} (none yet is fine). */
    public static Tokens open(Path dataDir) {
        Tokens tokens = new Tokens(fileIn(dataDir));
        tokens.reloadIfChanged();
        return tokens;
    }

    /** A new token: the secret is in the result and nowhere else. */
    public synchronized Created create(String name, List<String> streams, Set<Verb> verbs) {
        reloadIfChanged();
        Token.checkName(name);
        Token.checkStreams(streams);
        if (verbs == null || verbs.isEmpty()) {
            throw new IllegalArgumentException("verbs: give at least one of append, read, query, status, admin");
        }
        if (verbs.contains(Verb.ADMIN) && !streams.equals(List.of("*"))) {
            throw new IllegalArgumentException("streams: an admin token reads every stream, so its streams are '*', were "
                + streams);
        }
        if (loaded.byId.values().stream().anyMatch(e -> e.token.name().equals(name) && !e.token.revoked())) {
            throw new IllegalArgumentException("name: a valid token named '" + name + "' exists; revoke it first");
        }
        byte[] idBytes = new byte[8];
        byte[] secretBytes = new byte[32];
        byte[] salt = new byte[16];
        RANDOM.nextBytes(idBytes);
        RANDOM.nextBytes(secretBytes);
        RANDOM.nextBytes(salt);
        String id = HEX.formatHex(idBytes);
        String secret = "idl_" + id + "_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secretBytes);
        Token token = new Token(name, id, streams, EnumSet.copyOf(verbs), Instant.now(), null);
        Map<String, Entry> next = new LinkedHashMap<>(loaded.byId);
        next.put(id, new Entry(token, salt, hash(salt, secret)));
        save(next);
        return new Created(secret, token);
    }

    /** Revokes every valid token named {@code name}; returns how many. */
    public synchronized int revoke(String name) {
        return revokeWhere(t -> t.name().equals(name), Instant.now());
    }

    /**
     * Adds a token as another node keeps it (its {@code ops.token_create} event: salt and salted hash,
     * never the secret); an id already here is left as it is, so a token revoked here stays revoked.
     *
     * @return whether it was added
     */
    public synchronized boolean adopt(Kept kept) {
        reloadIfChanged();
        if (loaded.byId.containsKey(kept.token().id())) {
            return false;
        }
        Map<String, Entry> next = new LinkedHashMap<>(loaded.byId);
        next.put(kept.token().id(), new Entry(kept.token(), kept.salt().clone(), kept.sha256().clone()));
        save(next);
        return true;
    }

    /** Revokes, as of {@code at}, the valid tokens among {@code ids} (another node's {@code ops.token_revoke}); returns how many. */
    public synchronized int revokeIds(Collection<String> ids, Instant at) {
        return revokeWhere(t -> ids.contains(t.id()), at);
    }

    /** Revokes, as of {@code at}, every valid token {@code which} picks; returns how many. Under the monitor. */
    private int revokeWhere(Predicate<Token> which, Instant at) {
        reloadIfChanged();
        Map<String, Entry> next = new LinkedHashMap<>();
        int revoked = 0;
        for (Map.Entry<String, Entry> e : loaded.byId.entrySet()) {
            Token t = e.getValue().token;
            if (!t.revoked() && which.test(t)) {
                t = new Token(t.name(), t.id(), t.streams(), t.verbs(), t.createdAt(), at);
                revoked++;
            }
            next.put(e.getKey(), new Entry(t, e.getValue().salt, e.getValue().hash));
        }
        if (revoked > 0) {
            save(next);
        }
        return revoked;
    }

    /** The token with this id as kept here, with its salt and salted hash, if there is one. */
    public Optional<Kept> kept(String id) {
        Entry e = current().byId.get(id);
        return e == null ? Optional.empty() : Optional.of(new Kept(e.token, e.salt.clone(), e.hash.clone()));
    }

    public List<Token> list() {
        return current().byId.values().stream().map(e -> e.token).toList();
    }

    /** The valid token a bearer secret belongs to, if any. */
    public Optional<Token> authenticate(String secret) {
        Map<String, Entry> byId = current().byId;
        String id = idOf(secret);
        if (id == null) {
            return Optional.empty();
        }
        Entry entry = byId.get(id);
        if (entry == null || entry.token.revoked()
                || !MessageDigest.isEqual(entry.hash, hash(entry.salt, secret))) {
            return Optional.empty();
        }
        return Optional.of(entry.token);
    }

    /** Whether the token with this id is still valid (not revoked since it authenticated). */
    public boolean isValid(String id) {
        Entry entry = current().byId.get(id);
        return entry != null && !entry.token.revoked();
    }

    /** The token id a bearer secret claims ({@code idl_<id>_...}), or null when it has no such shape. */
    public static String idOf(String secret) {
        if (secret == null || !secret.startsWith("idl_") || secret.length() < 21) {
            return null;
        }
        String id = secret.substring(4, 20);
        return id.chars().allMatch(HexFormat::isHexDigit) ? id : null;
    }

    /** The file tokens are kept in. */
    public Path file() {
        return file;
    }

    /** A token just created, with the secret shown once. */
    public record Created(String secret, Token token) {
    }

    /** A token as kept: the salt and the SHA-256 of salt and secret, which check a secret and cannot give it. */
    public record Kept(Token token, byte[] salt, byte[] sha256) {
    }

    private record Entry(Token token, byte[] salt, byte[] hash) {
    }

    private static byte[] hash(byte[] salt, String secret) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(salt);
            return sha.digest(secret.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The tokens as the file has them now: those last read unless it changed since. */
    private Loaded current() {
        Loaded last = loaded;
        return Objects.equals(stamp(), last.stamp) ? last : reloadIfChanged();
    }

    private synchronized Loaded reloadIfChanged() {
        Stamp stamp = stamp();
        if (!Objects.equals(stamp, loaded.stamp)) { // else another thread read it meanwhile
            try {
                loaded = new Loaded(stamp == null ? Map.of() : parse(JSON.readTree(file.toFile())), stamp);
            } catch (NoSuchFileException e) {
                loaded = new Loaded(Map.of(), null);
            } catch (IOException | RuntimeException e) {
                throw new IllegalStateException("cannot read the token file " + file + ": " + e.getMessage(), e);
            }
        }
        return loaded;
    }

    private Stamp stamp() {
        try {
            BasicFileAttributes read = Files.readAttributes(file, BasicFileAttributes.class);
            return new Stamp(read.fileKey(), read.lastModifiedTime(), read.size());
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the token file " + file + ": " + e.getMessage(), e);
        }
    }

    private static Map<String, Entry> parse(JsonNode root) {
        Map<String, Entry> read = new LinkedHashMap<>();
        for (JsonNode n : root.path("tokens")) {
            List<String> streams = new ArrayList<>();
            n.path("streams").forEach(s -> streams.add(s.asText()));
            Set<Verb> verbs = EnumSet.noneOf(Verb.class);
            n.path("verbs").forEach(v -> verbs.add(Verb.parse(v.asText())));
            Token token = new Token(n.path("name").asText(), n.path("id").asText(), streams, verbs,
                Instant.parse(n.path("created_at").asText()),
                n.hasNonNull("revoked_at") ? Instant.parse(n.path("revoked_at").asText()) : null);
            read.put(token.id(), new Entry(token, HEX.parseHex(n.path("salt").asText()), HEX.parseHex(n.path("sha256").asText())));
        }
        return read;
    }

    /** {@code dataDir}'s token file as stored (salted hashes, never a secret), or empty when it has none: what a backup keeps. */
    public static Optional<byte[]> stored(Path dataDir) throws IOException {
        try {
            return Optional.of(Files.readAllBytes(fileIn(dataDir)));
        } catch (NoSuchFileException none) {
            return Optional.empty();
        }
    }

    /**
     * Makes {@code content}, a token file {@link #stored} read, {@code dataDir}'s, whole or not at all and
     * owner-only: what a restore gives back, so clients keep their tokens.
     *
     * @throws IllegalArgumentException when it is not a token file
     */
    public static void install(Path dataDir, byte[] content) throws IOException {
        try {
            parse(JSON.readTree(content));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("not a token file: " + e.getMessage(), e);
        }
        AtomicFile.write(fileIn(dataDir), content);
    }

    private static Path fileIn(Path dataDir) {
        return dataDir.resolve("server").resolve("tokens.json");
    }

    private void save(Map<String, Entry> next) {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", 1);
        ArrayNode list = root.putArray("tokens");
        for (Entry e : next.values()) {
            ObjectNode n = list.addObject();
            n.put("name", e.token.name());
            n.put("id", e.token.id());
            n.put("salt", HEX.formatHex(e.salt));
            n.put("sha256", HEX.formatHex(e.hash));
            e.token.streams().forEach(n.putArray("streams")::add);
            ArrayNode verbs = n.putArray("verbs");
            e.token.verbs().stream().sorted().forEach(v -> verbs.add(v.text()));
            n.put("created_at", e.token.createdAt().toString());
            n.put("revoked_at", e.token.revokedAt() == null ? null : e.token.revokedAt().toString());
        }
        try {
            AtomicFile.write(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
            loaded = new Loaded(next, stamp());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the token file " + file + ": " + e.getMessage(), e);
        }
    }
}
