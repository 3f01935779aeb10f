package dev.indelible.projections.internal;


import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.function.ToIntFunction;

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
        // Direct buffers reused for every pair: no array per key and value, and a plain copy out of JNI.
        ByteBuffer[] key = {ByteBuffer.allocateDirect(1 << 10)};
        ByteBuffer[] value = {ByteBuffer.allocateDirect(1 << 16)};
        return snapshot.readOnce(it -> {
            ToIntFunction<ByteBuffer> readKey = it::key;
            ToIntFunction<ByteBuffer> readValue = it::value;
            for (it.seekToFirst(); it.isValid(); it.next()) {
                update(sha, length, key, readKey);
                update(sha, length, value, readValue);
            }
            VersionStore.checkIterator(it);
            return HexFormat.of().formatHex(sha.digest());
        });
    }

    /** Reads a key or value into {@code buffer[0]}, growing it to fit, and digests its length and bytes. */
    private static void update(MessageDigest sha, byte[] length, ByteBuffer[] buffer, ToIntFunction<ByteBuffer> read) {
        int n = read.applyAsInt(buffer[0].clear());
        if (n > buffer[0].capacity()) {
            buffer[0] = ByteBuffer.allocateDirect(Integer.highestOneBit(n) << 1);
            read.applyAsInt(buffer[0]);
        }
        length[0] = (byte) (n >>> 24);
        length[1] = (byte) (n >>> 16);
        length[2] = (byte) (n >>> 8);
        length[3] = (byte) n;
        sha.update(length);
        sha.update(buffer[0]);
    }
}
