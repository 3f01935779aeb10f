package dev.indelible.projections.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VersionDigestTest {

    /** The digest is the design's SHA-256 over every pair in key order, each length-prefixed, whatever the sizes. */
    @Test
    void shouldBeSha256OverLengthPrefixedPairsInKeyOrder(@TempDir Path dir) throws Exception {
        Random random = new Random(42);
        TreeMap<String, byte[]> pairs = new TreeMap<>();
        pairs.put("empty", new byte[0]);
        pairs.put("k".repeat(5_000), bytes(random, 10)); // longer than the key buffer
        pairs.put("large", bytes(random, 300_000)); // longer than the value buffer
        for (int i = 0; i < 1_000; i++) {
            pairs.put("key-" + i, bytes(random, random.nextInt(200)));
        }

        String digest;
        try (VersionStore store = VersionStore.open(dir.resolve("v1"), true)) {
            BatchWriter batch = store.newBatch();
            pairs.forEach((k, v) -> batch.put(k.getBytes(StandardCharsets.UTF_8), v));
            store.commit(batch, new long[] {pairs.size()}, pairs.size());
            digest = store.digest();
        }

        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (Map.Entry<String, byte[]> pair : pairs.entrySet()) {
            byte[] key = pair.getKey().getBytes(StandardCharsets.UTF_8);
            sha.update(ByteBuffer.allocate(4).putInt(key.length).array());
            sha.update(key);
            sha.update(ByteBuffer.allocate(4).putInt(pair.getValue().length).array());
            sha.update(pair.getValue());
        }
        assertEquals(HexFormat.of().formatHex(sha.digest()), digest);
    }

    private static byte[] bytes(Random random, int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }
}
