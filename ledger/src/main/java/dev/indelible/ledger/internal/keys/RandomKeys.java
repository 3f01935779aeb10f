package dev.indelible.ledger.internal.keys;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * New random keys for the key store, from the JDK's DRBG (the platform default reads /dev/urandom
 * once per draw, a system call), drawn 64 keys ahead: each draw has a fixed cost. A key handed out
 * is wiped from the pool.
 *
 * <p>Not thread-safe: the key store draws under its monitor.
 */
final class RandomKeys {
    private static final SecureRandom RANDOM = drbg();
    private final byte[] drawn = new byte[KeyStoreFormat.KEY_BYTES * 64];
    private int used = drawn.length;

    byte[] next() {
        if (used == drawn.length) {
            RANDOM.nextBytes(drawn);
            used = 0;
        }
        byte[] key = Arrays.copyOfRange(drawn, used, used + KeyStoreFormat.KEY_BYTES);
        Arrays.fill(drawn, used, used + KeyStoreFormat.KEY_BYTES, (byte) 0);
        used += KeyStoreFormat.KEY_BYTES;
        return key;
    }

    private static SecureRandom drbg() {
        try {
            return SecureRandom.getInstance("DRBG");
        } catch (NoSuchAlgorithmException e) {
            return new SecureRandom();
        }
    }
}
