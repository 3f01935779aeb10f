package dev.indelible.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.indelible.ledger.AtomicFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;

/**
 * {@code backup.json}, beside a backup's journal: how many events it holds and the digest of their
 * sequence, and the SHA-256 of the token file kept with it, so a restore can prove the backup is
 * whole before it writes anything.
 *
 * @param tokensSha256 of {@code server/tokens.json} in the backup; {@link #NO_TOKENS} when the source had
 *                     none; null for a backup of format 1, which did not keep them
 */
record BackupManifest(long events, String digest, String source, Instant createdAt, String tokensSha256) {
    static final String FILE = "backup.json";
    static final String NO_TOKENS = "none";
    private static final ObjectMapper JSON = new ObjectMapper();

    void write(Path backup) throws IOException {
        ObjectNode node = JSON.createObjectNode();
        node.put("format", 2);
        node.put("events", events);
        node.put("digest", digest);
        node.put("tokens_sha256", tokensSha256);
        node.put("projections", "not kept: rebuilt from the journal on first use");
        node.put("source", source);
        node.put("created_at", createdAt.toString());
        AtomicFile.write(backup.resolve(FILE), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(node));
    }

    static BackupManifest read(Path backup) {
        try {
            JsonNode node = JSON.readTree(Files.readAllBytes(backup.resolve(FILE)));
            if (node == null || !node.path("events").canConvertToLong() || !node.path("digest").isTextual()) {
                throw new CorruptBackupException(backup.resolve(FILE) + " is not a backup manifest");
            }
            return new BackupManifest(node.get("events").asLong(), node.get("digest").asText(),
                node.path("source").asText(""), Instant.parse(node.path("created_at").asText(Instant.EPOCH.toString())),
                node.hasNonNull("tokens_sha256") ? node.get("tokens_sha256").asText() : null);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(backup + " is not a backup: it has no " + FILE);
        } catch (IOException e) {
            throw new CorruptBackupException("cannot read " + backup.resolve(FILE) + ": " + e.getMessage());
        }
    }

    /** SHA-256 of {@code content}, in hex: what {@code tokens_sha256} holds. */
    static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A backup that is not whole: exit code 1, nothing restored. */
    static final class CorruptBackupException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        CorruptBackupException(String message) {
            super(message);
        }
    }
}
