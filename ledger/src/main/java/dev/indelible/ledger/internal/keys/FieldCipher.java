package dev.indelible.ledger.internal.keys;

import dev.indelible.ledger.LedgerException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals one personal field value with its subject's key (the JDK's AES-256-GCM) and opens it again.
 * The nonce is derived, SIV-style, from the key, the field and the value
 * (HMAC-SHA-256(key, field 0x00 value), first 12 bytes), so a retry of an event seals to the same
 * bytes and is recognised as a duplicate; the price is that equal values of one subject's field
 * seal equally. The subject and field are the associated data, so a sealed value cannot be moved
 * to another field or subject unnoticed.
 *
 * <pre>
 * enc:v1:&lt;subject&gt;:&lt;base64url, no padding: nonce 12 | ciphertext | tag 16&gt;
 * </pre>
 *
 * <p>Stateless and thread-safe (a cipher and a MAC per thread).
 */
public final class FieldCipher {
    public static final String PREFIX = "enc:v1:";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final ThreadLocal<Cipher> CIPHER = ThreadLocal.withInitial(FieldCipher::newCipher);
    /** Two keyed MACs per thread: one for stream names (the ledger's secret), one for nonces (the subject's key). */
    private static final ThreadLocal<KeyedMac> NAME_MAC = ThreadLocal.withInitial(KeyedMac::new);
    private static final ThreadLocal<KeyedMac> NONCE_MAC = ThreadLocal.withInitial(KeyedMac::new);
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private FieldCipher() {
    }

    public static boolean isSealed(String value) {
        return value != null && value.startsWith(PREFIX);
    }

    /** The subject a sealed value names, or null when it is not a sealed value. */
    public static String subjectOf(String sealed) {
        if (!isSealed(sealed)) {
            return null;
        }
        int end = sealed.lastIndexOf(':');
        return end <= PREFIX.length() ? null : sealed.substring(PREFIX.length(), end);
    }

    public static String seal(byte[] key, String subject, String field, String plaintext) {
        byte[] clear = plaintext.getBytes(StandardCharsets.UTF_8);
        byte[] aad = aad(subject, field);
        byte[] nonce = Arrays.copyOf(NONCE_MAC.get().mac(key, aad, clear), NONCE_BYTES);
        byte[] out = new byte[NONCE_BYTES + clear.length + TAG_BITS / 8];
        System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
        try {
            Cipher cipher = init(Cipher.ENCRYPT_MODE, key, nonce);
            cipher.updateAAD(aad);
            cipher.doFinal(clear, 0, clear.length, out, NONCE_BYTES);
        } catch (GeneralSecurityException e) {
            throw new LedgerException("cannot seal field " + field + ": " + e, e);
        }
        return PREFIX + subject + ':' + ENCODER.encodeToString(out);
    }

    /**
     * Opens a sealed value of {@code field}.
     *
     * @throws IllegalArgumentException when it is not a sealed value, or fails its tag (altered, or
     *                                  moved from another field or subject)
     */
    public static String open(byte[] key, String field, String sealed) {
        String subject = subjectOf(sealed);
        if (subject == null) {
            throw new IllegalArgumentException(field + ": not a sealed value");
        }
        byte[] in;
        try {
            in = DECODER.decode(sealed.substring(sealed.lastIndexOf(':') + 1));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + ": a sealed value that is not base64url: " + e.getMessage());
        }
        if (in.length < NONCE_BYTES + TAG_BITS / 8) {
            throw new IllegalArgumentException(field + ": a sealed value too short to hold its nonce and tag");
        }
        try {
            Cipher cipher = CIPHER.get();
            cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BITS, in, 0, NONCE_BYTES));
            cipher.updateAAD(aad(subject, field));
            return new String(cipher.doFinal(in, NONCE_BYTES, in.length - NONCE_BYTES), StandardCharsets.UTF_8);
        } catch (AEADBadTagException e) {
            throw new IllegalArgumentException(field + ": a sealed value that fails its tag (altered, or not of this"
                + " field and subject)");
        } catch (GeneralSecurityException e) {
            throw new LedgerException("cannot open field " + field + ": " + e, e);
        }
    }

    /** HMAC-SHA-256 of {@code name} with the ledger's {@code secret}: the keyed hash of a stream name. */
    public static byte[] hmac(byte[] secret, byte[] name) {
        return NAME_MAC.get().mac(secret, name, null);
    }

    /**
     * A MAC of one thread, keyed again only when asked with another key array: a MAC keeps its key
     * across {@code doFinal}, and keying it (two SHA-256 blocks, a key copy) was the larger part of
     * each hash. Keys are compared by identity: the key store hands out one array per key.
     */
    private static final class KeyedMac {
        private final Mac mac = newMac();
        private byte[] keyedWith;

        byte[] mac(byte[] key, byte[] first, byte[] second) {
            if (key != keyedWith) {
                try {
                    mac.init(new SecretKeySpec(key, "HmacSHA256"));
                } catch (GeneralSecurityException e) {
                    throw new LedgerException("cannot key HMAC-SHA-256: " + e, e);
                }
                keyedWith = key;
            }
            mac.update(first);
            if (second != null) {
                mac.update(second);
            }
            return mac.doFinal();
        }
    }

    private static Cipher init(int mode, byte[] key, byte[] nonce) throws GeneralSecurityException {
        SecretKeySpec spec = new SecretKeySpec(key, "AES");
        GCMParameterSpec gcm = new GCMParameterSpec(TAG_BITS, nonce);
        Cipher cipher = CIPHER.get();
        try {
            cipher.init(mode, spec, gcm);
        } catch (InvalidAlgorithmParameterException reused) {
            // The JDK refuses to encrypt twice in a row with one key and nonce: a retry of the same
            // value does exactly that, by design, so it gets a fresh cipher.
            cipher = newCipher();
            CIPHER.set(cipher);
            cipher.init(mode, spec, gcm);
        }
        return cipher;
    }

    private static byte[] aad(String subject, String field) {
        return (subject + '\0' + field + '\0').getBytes(StandardCharsets.UTF_8);
    }

    private static Cipher newCipher() {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no AES/GCM: " + e, e);
        }
    }

    private static Mac newMac() {
        try {
            return Mac.getInstance("HmacSHA256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no HmacSHA256: " + e, e);
        }
    }
}
