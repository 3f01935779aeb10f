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
        return snapshot.readOnce(it -> {
            Part key = new Part(it::key, 1 << 10);
            Part value = new Part(it::value, 1 << 16);
            for (it.seekToFirst(); it.isValid(); it.next()) {
                key.digest(sha, length);
                value.digest(sha, length);
            }
            VersionStore.checkIterator(it);
            return HexFormat.of().formatHex(sha.digest());
        });
    }

    /**
     * The key or the value of the iterator's entry, read into a direct buffer reused for every
     * entry and grown to fit: no array per key and value, and a plain copy out of JNI.
     */
    private static final class Part {
        private final ToIntFunction<ByteBuffer> read;
        private ByteBuffer buffer;

        Part(ToIntFunction<ByteBuffer> read, int capacity) {
            this.read = read;
            this.buffer = ByteBuffer.allocateDirect(capacity);
        }

        /** Digests the current entry's bytes, after their length. */
        void digest(MessageDigest sha, byte[] length) {
            int n = read.applyAsInt(buffer.clear());
            if (n > buffer.capacity()) {
                buffer = ByteBuffer.allocateDirect(Integer.highestOneBit(n) << 1);
                read.applyAsInt(buffer);
            }
            length[0] = (byte) (n >>> 24);
            length[1] = (byte) (n >>> 16);
            length[2] = (byte) (n >>> 8);
            length[3] = (byte) n;
            sha.update(length);
            sha.update(buffer);
        }
    }
}
