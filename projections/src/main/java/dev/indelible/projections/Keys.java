package dev.indelible.projections;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds and reads order-preserving keys: byte order equals the order of the parts.
 *
 * <pre>{@code
 * tag    : 1 byte, names the kind of entry ('s' for a selfie, 'c' for a counter, ...)
 * string : UTF-8 bytes, then 0x00 (so "ab" sorts before "abc"; strings must not contain U+0000)
 * long   : 8 bytes big-endian with the sign bit flipped (so -1 sorts before 0)
 * }</pre>
 *
 * <p>A builder is not thread-safe; the static helpers are.
 */
public final class Keys {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream(32);

    private Keys(char tag) {
        out.write(tag);
    }

    /** Starts a key with a one-byte tag. */
    public static Keys of(char tag) {
        if (tag > 0x7f) {
            throw new IllegalArgumentException("tag must be ASCII: " + tag);
        }
        return new Keys(tag);
    }

    public Keys string(String value) {
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("key strings must not contain U+0000: " + value);
        }
        out.writeBytes(value.getBytes(StandardCharsets.UTF_8));
        out.write(0);
        return this;
    }

    public Keys i64(long value) {
        long flipped = value ^ Long.MIN_VALUE;
        for (int shift = 56; shift >= 0; shift -= 8) {
            out.write((int) (flipped >>> shift));
        }
        return this;
    }

    public byte[] build() {
        return out.toByteArray();
    }

    /** The 8-byte big-endian encoding of a counter value (not sign-flipped: values, not keys). */
    public static byte[] encodeLong(long value) {
        byte[] bytes = new byte[8];
        for (int i = 0; i < 8; i++) {
            bytes[i] = (byte) (value >>> (56 - 8 * i));
        }
        return bytes;
    }

    /** Reads {@link #encodeLong}; {@code null} reads as 0. */
    public static long decodeLong(byte[] bytes) {
        if (bytes == null) {
            return 0;
        }
        if (bytes.length != 8) {
            throw new IllegalArgumentException("a counter is 8 bytes, found " + bytes.length);
        }
        long value = 0;
        for (byte b : bytes) {
            value = value << 8 | (b & 0xff);
        }
        return value;
    }

    /** The long that ends a key, e.g. the global_seq of an index entry. */
    public static long trailingLong(byte[] key) {
        long flipped = 0;
        for (int i = key.length - 8; i < key.length; i++) {
            flipped = flipped << 8 | (key[i] & 0xff);
        }
        return flipped ^ Long.MIN_VALUE;
    }

    /**
     * Splits a key back into its parts after the tag, given the shape: 's' for a string, 'l' for a
     * long, e.g. {@code parse(key, "sl")} returns a String and a Long.
     */
    public static List<Object> parse(byte[] key, String shape) {
        List<Object> parts = new ArrayList<>(shape.length());
        int pos = 1;
        for (int i = 0; i < shape.length(); i++) {
            if (shape.charAt(i) == 's') {
                int end = pos;
                while (key[end] != 0) {
                    end++;
                }
                parts.add(new String(key, pos, end - pos, StandardCharsets.UTF_8));
                pos = end + 1;
            } else {
                long flipped = 0;
                for (int j = 0; j < 8; j++) {
                    flipped = flipped << 8 | (key[pos + j] & 0xff);
                }
                parts.add(flipped ^ Long.MIN_VALUE);
                pos += 8;
            }
        }
        return parts;
    }
}
