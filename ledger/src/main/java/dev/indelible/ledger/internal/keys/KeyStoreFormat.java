package dev.indelible.ledger.internal.keys;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.CRC32C;

/**
 * The key store's file layout, written down once:
 *
 * <pre>
 * header   "IDLKEYS1" | version u32 = 1 | erasures_applied i64 | secret 32 bytes | crc32c u32 (of the 52 before)
 * record   kind u8 (1 key, 2 erased) | subject length u16 | subject UTF-8 | key 32 bytes (kind 1) | crc32c u32
 * </pre>
 *
 * Big-endian. A subject's first key record wins (a later one was never used); an erased record
 * removes the subject's key and keeps any later one from counting.
 *
 * <p>Stateless.
 */
final class KeyStoreFormat {
    static final byte[] MAGIC = "IDLKEYS1".getBytes(StandardCharsets.US_ASCII);
    static final int HEADER_BYTES = 56;
    static final int KEY_BYTES = 32;
    static final int VERSION = 1;
    static final int VERSION_OFFSET = 8;
    static final int ERASURES_APPLIED_OFFSET = 12;
    static final int SECRET_OFFSET = 20;
    static final byte KEY = 1;
    static final byte ERASED = 2;

    private KeyStoreFormat() {
    }

    /** Damage found while reading, with the reason; the store names its file. */
    static final class Damage extends RuntimeException {
        Damage(String reason) {
            super(reason, null, false, false);
        }
    }

    /** The header's reason to refuse the file, or null when it is sound. */
    static String headerProblem(byte[] bytes) {
        if (bytes.length < HEADER_BYTES || !Arrays.equals(Arrays.copyOf(bytes, MAGIC.length), MAGIC)) {
            return "is not a key store (bad header)";
        }
        ByteBuffer header = ByteBuffer.wrap(bytes, 0, HEADER_BYTES);
        if (crc(bytes, 0, HEADER_BYTES - 4) != header.getInt(HEADER_BYTES - 4)) {
            return "has a header that fails its checksum";
        }
        int version = header.getInt(VERSION_OFFSET);
        return version == VERSION ? null : "has version " + version + ", this build reads version " + VERSION;
    }

    static long erasuresApplied(byte[] header) {
        return ByteBuffer.wrap(header).getLong(ERASURES_APPLIED_OFFSET);
    }

    static byte[] secret(byte[] header) {
        return Arrays.copyOfRange(header, SECRET_OFFSET, SECRET_OFFSET + KEY_BYTES);
    }

    /**
     * Reads the records of {@code bytes} from {@code from} into the maps.
     *
     * @return the offset after the last whole record; a record cut short at the very end is ignored
     * @throws Damage for a record that fails its checksum or is of no known kind
     */
    static long parseRecords(byte[] bytes, int from, Map<String, byte[]> intoKeys, Set<String> intoErased) {
        int at = from;
        while (at < bytes.length) {
            if (bytes.length - at < 3) {
                return at;
            }
            byte kind = bytes[at];
            int subjectLength = ((bytes[at + 1] & 0xff) << 8) | (bytes[at + 2] & 0xff);
            int length = 3 + subjectLength + (kind == KEY ? KEY_BYTES : 0) + 4;
            if (kind != KEY && kind != ERASED) {
                throw new Damage("has a record of unknown kind " + kind + " at byte " + at);
            }
            if (bytes.length - at < length) {
                return at;
            }
            int stored = ByteBuffer.wrap(bytes, at + length - 4, 4).getInt();
            if (crc(bytes, at, length - 4) != stored) {
                throw new Damage("has a record that fails its checksum at byte " + at);
            }
            String subject = new String(bytes, at + 3, subjectLength, StandardCharsets.UTF_8);
            if (kind == KEY) {
                // The first key of a subject wins: a later one was never used by anything.
                if (!intoErased.contains(subject)) {
                    intoKeys.putIfAbsent(subject, Arrays.copyOfRange(bytes, at + 3 + subjectLength, at + length - 4));
                }
            } else {
                intoErased.add(subject);
                intoKeys.remove(subject);
            }
            at += length;
        }
        return at;
    }

    /** The whole file: the header, the erased subjects, then the keys, each sorted. */
    static byte[] whole(byte[] secret, long erasuresApplied, Map<String, byte[]> keys, Set<String> erased) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
        header.put(MAGIC).putInt(VERSION).putLong(erasuresApplied).put(secret);
        header.putInt(crc(header.array(), 0, HEADER_BYTES - 4));
        out.writeBytes(header.array());
        for (String subject : new TreeSet<>(erased)) {
            out.writeBytes(record(ERASED, subject, null));
        }
        for (String subject : new TreeSet<>(keys.keySet())) {
            out.writeBytes(record(KEY, subject, keys.get(subject)));
        }
        return out.toByteArray();
    }

    static byte[] record(byte kind, String subject, byte[] key) {
        byte[] name = subject.getBytes(StandardCharsets.UTF_8);
        if (name.length > 0xffff) {
            throw new IllegalArgumentException("subject: over 65535 UTF-8 bytes");
        }
        ByteBuffer b = ByteBuffer.allocate(3 + name.length + (key == null ? 0 : KEY_BYTES) + 4);
        b.put(kind).putShort((short) name.length).put(name);
        if (key != null) {
            b.put(key);
        }
        b.putInt(crc(b.array(), 0, b.capacity() - 4));
        return b.array();
    }

    static int crc(byte[] bytes, int from, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, from, length);
        return (int) crc.getValue();
    }
}
