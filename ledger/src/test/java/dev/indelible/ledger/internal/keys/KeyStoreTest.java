package dev.indelible.ledger.internal.keys;

import static dev.indelible.ledger.testing.Bytes.indexOf;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.indelible.ledger.LedgerException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyStoreTest {

    @TempDir
    Path dir;

    @Test
    void shouldKeepKeysAndSecretAcrossReopen() throws Exception {
        KeyStore store = KeyStore.open(dir, true, false);
        byte[] alice = store.keyFor("account-a");
        byte[] bob = store.keyFor("account-b");
        assertArrayEquals(alice, store.keyFor("account-a"));
        assertNotEquals(new String(alice), new String(bob));
        KeyStore reopened = KeyStore.open(dir, false, false);
        assertArrayEquals(alice, reopened.key("account-a"));
        assertArrayEquals(store.secret(), reopened.secret());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(store.file())));
    }

    /** Under SYNC a key is forced before it is returned; threads creating keys at once share the forces and agree on each key. */
    @Test
    void shouldGiveEveryThreadTheOneKeyOfASubjectWhenKeysAreForced() throws Exception {
        KeyStore store = KeyStore.open(dir, true, true);
        int threads = 4;
        int subjects = 200;
        byte[][][] seen = new byte[threads][subjects][];
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < subjects; i++) {
                        int subject = (i + thread * subjects / threads) % subjects; // each thread from its own start
                        seen[thread][subject] = store.keyFor("account-" + subject);
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        KeyStore reopened = KeyStore.open(dir, false, false);
        assertEquals(subjects, reopened.keyCount());
        for (int subject = 0; subject < subjects; subject++) {
            for (int t = 0; t < threads; t++) {
                assertArrayEquals(reopened.key("account-" + subject), seen[t][subject], "account-" + subject);
            }
        }
    }

    @Test
    void shouldSeeKeysAnotherInstanceAppended() {
        KeyStore first = KeyStore.open(dir, true, false);
        KeyStore second = KeyStore.open(dir, false, false);
        byte[] key = first.keyFor("account-a");
        assertArrayEquals(key, second.key("account-a"));
        assertArrayEquals(key, second.keyFor("account-a"));
    }

    @Test
    void shouldDestroyAnErasedKeyAndRefuseANewOne() throws Exception {
        KeyStore store = KeyStore.open(dir, true, false);
        byte[] key = store.keyFor("account-a");
        store.keyFor("account-b");
        store.erase(Set.of("account-a"), 0);
        assertNull(store.key("account-a"));
        assertNull(store.keyFor("account-a"), "an erased subject gets no new key");
        assertTrue(store.isErased("account-a"));
        assertEquals(0, store.erasuresApplied());
        byte[] bytes = Files.readAllBytes(store.file());
        assertEquals(-1, indexOf(bytes, key), "the key's bytes are in no live block of the file");
        KeyStore reopened = KeyStore.open(dir, false, false);
        assertEquals(Set.of("account-a"), reopened.erasedSubjects());
        assertEquals(1, reopened.keyCount());
    }

    @Test
    void shouldRefuseAMissingStoreUnlessItMayCreateOne() {
        LedgerException missing = assertThrows(LedgerException.class, () -> KeyStore.open(dir, false, false));
        assertTrue(missing.getMessage().contains(dir.resolve(KeyStore.FILE_NAME).toString()), missing.getMessage());
        assertTrue(missing.getMessage().contains("missing"), missing.getMessage());
    }

    @Test
    void shouldReportADamagedRecordNamingTheFile() throws Exception {
        KeyStore store = KeyStore.open(dir, true, false);
        store.keyFor("account-a");
        store.keyFor("account-b");
        byte[] bytes = Files.readAllBytes(store.file());
        bytes[KeyStore.HEADER_BYTES + 5] ^= 1;
        Files.write(store.file(), bytes);
        LedgerException damaged = assertThrows(LedgerException.class, () -> KeyStore.open(dir, true, false));
        assertTrue(damaged.getMessage().contains(store.file().toString()) && damaged.getMessage().contains("checksum"),
            damaged.getMessage());
    }

    @Test
    void shouldReportADamagedHeader() throws Exception {
        KeyStore store = KeyStore.open(dir, true, false);
        byte[] bytes = Files.readAllBytes(store.file());
        bytes[30] ^= 1;
        Files.write(store.file(), bytes);
        LedgerException damaged = assertThrows(LedgerException.class, () -> KeyStore.open(dir, true, false));
        assertTrue(damaged.getMessage().contains("header"), damaged.getMessage());
    }

    @Test
    void shouldIgnoreARecordCutShortAtTheEnd() throws Exception {
        KeyStore store = KeyStore.open(dir, true, false);
        byte[] key = store.keyFor("account-a");
        long whole = Files.size(store.file());
        store.keyFor("account-b");
        try (var channel = java.nio.channels.FileChannel.open(store.file(), java.nio.file.StandardOpenOption.WRITE)) {
            channel.truncate(whole + 10);
        }
        KeyStore reopened = KeyStore.open(dir, false, false);
        assertArrayEquals(key, reopened.key("account-a"));
        assertNull(reopened.key("account-b"));
        reopened.keyFor("account-c");
        assertEquals(2, KeyStore.open(dir, false, false).keyCount());
    }

    @Test
    void shouldRefuseAStoreOthersCanRead() throws Exception {
        KeyStore store = KeyStore.open(dir, true, false);
        Files.setPosixFilePermissions(store.file(), PosixFilePermissions.fromString("rw-r--r--"));
        LedgerException shared = assertThrows(LedgerException.class, () -> KeyStore.open(dir, false, false));
        assertTrue(shared.getMessage().contains("owner-only"), shared.getMessage());
    }

    @Test
    void shouldSealDeterministicallyAndOpenOnlyForTheSameFieldAndSubject() {
        byte[] key = KeyStore.open(dir, true, false).keyFor("account-a");
        String sealed = FieldCipher.seal(key, "account-a", "email", "alice@example.com");
        assertEquals(sealed, FieldCipher.seal(key, "account-a", "email", "alice@example.com"));
        assertTrue(sealed.startsWith("enc:v1:account-a:"), sealed);
        assertEquals("alice@example.com", FieldCipher.open(key, "email", sealed));
        assertThrows(IllegalArgumentException.class, () -> FieldCipher.open(key, "display_name", sealed));
    }
}
