package dev.indelible.projections.internal;


import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The digest of a projection's state: SHA-256 over every key/value pair in key order, each written
 * as a 4-byte big-endian length and its bytes (so pairs cannot run into each other). The engine's
 * bookkeeping lives in another column family and is not included.
 */
final class VersionDigest {
    private VersionDigest() {
    }

    static String of(SnapshotState snapshot) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
        byte[] length = new byte[4];
        return snapshot.readOnce(it -> {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                update(sha, length, it.key());
                update(sha, length, it.value());
            }
            VersionStore.checkIterator(it);
            return HexFormat.of().formatHex(sha.digest());
        });
    }

    private static void update(MessageDigest sha, byte[] length, byte[] bytes) {
        int n = bytes.length;
        length[0] = (byte) (n >>> 24);
        length[1] = (byte) (n >>> 16);
        length[2] = (byte) (n >>> 8);
        length[3] = (byte) n;
        sha.update(length);
        sha.update(bytes);
    }
}
