package dev.indelible.ledger.kafka.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.zip.CRC32C;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The records of a journal's keys topic, written down once. The record's key names what it holds;
 * compaction keeps the last record of each key, and a null value (a tombstone) destroys a key:
 *
 * <pre>
 * key  "secret:&lt;16 hex&gt;"               the ledger's secret; the first committed one counts (writers racing to make one)
 * key  "key:&lt;partition&gt;:&lt;subject&gt;"   a subject's key, made by the writer of that journal partition; null value: destroyed
 * key  "erased:&lt;subject&gt;"              the subject is erased
 * value  "IDLK" | version u8 = 1 | kind u8 (1 secret, 2 key, 3 erased) | subject length u16 | subject UTF-8
 *        | 32 bytes (secret and key only) | crc32c u32 of the record key and every byte of the value before
 * </pre>
 *
 * Big-endian. The checksum covers the record key, so a value moved under another key fails it.
 *
 * <p>Stateless.
 */
final class KeyRecordFormat {
    static final byte SECRET = 1;
    static final byte KEY = 2;
    static final byte ERASED = 3;
    static final int KEY_BYTES = 32;
    private static final byte[] MAGIC = {'I', 'D', 'L', 'K'};
    private static final byte VERSION = 1;
    private static final int FIXED_BYTES = MAGIC.length + 1 + 1 + 2 + 4;
    private static final String SECRET_PREFIX = "secret:";
    private static final String KEY_PREFIX = "key:";
    private static final String ERASED_PREFIX = "erased:";
    private static final HexFormat HEX = HexFormat.of();

    private KeyRecordFormat() {
    }

    /** One record read: {@code bytes} is the secret or key, null for an erased record or a tombstone. */
    record KeyRecord(byte kind, int partition, String subject, byte[] bytes, boolean tombstone) {
    }

    /** A record that does not parse, with the reason; the keys topic names where. */
    static final class Damage extends RuntimeException {
        Damage(String reason) {
            super(reason, null, false, false);
        }
    }

    static ProducerRecord<byte[], byte[]> secret(String topic, byte[] secret, byte[] id) {
        return record(topic, SECRET_PREFIX + HEX.formatHex(id), SECRET, "", secret);
    }

    static ProducerRecord<byte[], byte[]> key(String topic, int partition, String subject, byte[] key) {
        return record(topic, keyName(partition, subject), KEY, subject, key);
    }

    static ProducerRecord<byte[], byte[]> tombstone(String topic, int partition, String subject) {
        return new ProducerRecord<>(topic, 0, keyName(partition, subject).getBytes(StandardCharsets.UTF_8), null);
    }

    static ProducerRecord<byte[], byte[]> erased(String topic, String subject) {
        return record(topic, ERASED_PREFIX + subject, ERASED, subject, null);
    }

    private static String keyName(int partition, String subject) {
        return KEY_PREFIX + partition + ":" + subject;
    }

    private static ProducerRecord<byte[], byte[]> record(String topic, String name, byte kind, String subject, byte[] bytes) {
        byte[] recordKey = name.getBytes(StandardCharsets.UTF_8);
        byte[] subjectBytes = subject.getBytes(StandardCharsets.UTF_8);
        if (subjectBytes.length > 0xffff) {
            throw new IllegalArgumentException("subject: over 65535 UTF-8 bytes");
        }
        ByteBuffer value = ByteBuffer.allocate(FIXED_BYTES + subjectBytes.length + (bytes == null ? 0 : KEY_BYTES));
        value.put(MAGIC).put(VERSION).put(kind).putShort((short) subjectBytes.length).put(subjectBytes);
        if (bytes != null) {
            value.put(bytes);
        }
        value.putInt(crc(recordKey, value.array(), value.capacity() - 4));
        return new ProducerRecord<>(topic, 0, recordKey, value.array());
    }

    /**
     * Reads one record.
     *
     * @throws Damage naming the reason when its key or value does not parse or fails its checksum
     */
    static KeyRecord parse(byte[] recordKey, byte[] value) {
        if (recordKey == null) {
            throw new Damage("has no record key");
        }
        String name = new String(recordKey, StandardCharsets.UTF_8);
        byte kind;
        int partition = -1;
        String subject;
        if (name.startsWith(SECRET_PREFIX)) {
            kind = SECRET;
            subject = "";
        } else if (name.startsWith(ERASED_PREFIX)) {
            kind = ERASED;
            subject = name.substring(ERASED_PREFIX.length());
        } else if (name.startsWith(KEY_PREFIX) && name.indexOf(':', KEY_PREFIX.length()) > 0) {
            kind = KEY;
            int colon = name.indexOf(':', KEY_PREFIX.length());
            try {
                partition = Integer.parseInt(name.substring(KEY_PREFIX.length(), colon));
            } catch (NumberFormatException e) {
                throw new Damage("has a record key naming no partition ('" + name + "')");
            }
            subject = name.substring(colon + 1);
        } else {
            throw new Damage("has a record key of no known kind ('" + name + "')");
        }
        if (value == null) {
            return new KeyRecord(kind, partition, subject, null, true);
        }
        byte[] bytes = checkValue(recordKey, value, kind, subject);
        return new KeyRecord(kind, partition, subject, bytes, false);
    }

    private static byte[] checkValue(byte[] recordKey, byte[] value, byte kind, String subject) {
        if (value.length < FIXED_BYTES || !Arrays.equals(value, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new Damage("is not a key record (bad header)");
        }
        if (value[MAGIC.length] != VERSION) {
            throw new Damage("has version " + value[MAGIC.length] + ", this build reads version " + VERSION);
        }
        int stored = ByteBuffer.wrap(value, value.length - 4, 4).getInt();
        if (crc(recordKey, value, value.length - 4) != stored) {
            throw new Damage("fails its checksum");
        }
        ByteBuffer b = ByteBuffer.wrap(value);
        b.position(MAGIC.length + 1);
        if (b.get() != kind) {
            throw new Damage("holds another kind of record than its key names");
        }
        int subjectLength = b.getShort() & 0xffff;
        int keyBytes = kind == ERASED ? 0 : KEY_BYTES;
        if (value.length != FIXED_BYTES + subjectLength + keyBytes
            || !subject.equals(new String(value, b.position(), subjectLength, StandardCharsets.UTF_8))) {
            throw new Damage("holds another subject or length than its key names");
        }
        return keyBytes == 0 ? null : Arrays.copyOfRange(value, b.position() + subjectLength, value.length - 4);
    }

    private static int crc(byte[] recordKey, byte[] value, int length) {
        CRC32C crc = new CRC32C();
        crc.update(recordKey);
        crc.update(value, 0, length);
        return (int) crc.getValue();
    }
}
