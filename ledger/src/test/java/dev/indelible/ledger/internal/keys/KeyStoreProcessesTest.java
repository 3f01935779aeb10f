package dev.indelible.ledger.internal.keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.indelible.ledger.testing.ChildJvm;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keys written by several processes through the lock page ({@link KeyStoreLock}): none lost, none overwritten. */
class KeyStoreProcessesTest {

    @TempDir
    Path dir;

    @Test
    void shouldKeepTheOneKeyEveryProcessUsedWhenProcessesWriteAtOnce() throws Exception {
        KeyStore.open(dir, true, false).close();
        int subjects = 300;
        List<ChildJvm> writers = new ArrayList<>();
        try {
            for (int p = 0; p < 3; p++) {
                writers.add(ChildJvm.start(KeyWriter.class, dir.resolve("writer-" + p + ".err"), dir.toString(), "account-",
                    String.valueOf(subjects), String.valueOf(p * subjects / 3)));
            }
            for (ChildJvm writer : writers) {
                writer.awaitSuccess(60);
            }
            KeyStore store = KeyStore.open(dir, false, false);
            for (ChildJvm writer : writers) {
                assertEquals(subjects, writer.lines().size());
                assertKeysKept(store, writer.lines());
            }
            assertEquals(subjects, store.keyCount());
        } finally {
            writers.forEach(ChildJvm::close);
        }
    }

    @Test
    void shouldKeepEveryReturnedKeyWhenAWriterIsKilled() throws Exception {
        KeyStore.open(dir, true, false).close();
        try (ChildJvm writer = ChildJvm.start(KeyWriter.class, dir.resolve("writer.err"), dir.toString(),
                "account-" + "x".repeat(200) + "-", "0", "0")) {
            writer.awaitLines(2_000, 60);
            writer.kill9();
            KeyStore store = KeyStore.open(dir, false, false);
            List<String> after = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                after.add("account-" + i + " " + HexFormat.of().formatHex(store.keyFor("account-" + i)));
            }
            store.close();
            KeyStore reopened = KeyStore.open(dir, false, false);
            assertKeysKept(reopened, writer.lines());
            assertKeysKept(reopened, after);
        }
    }

    /** An erasure replaces the file: a process appending keys meanwhile must append them to the new one. */
    @Test
    void shouldKeepKeysAnotherProcessWritesWhileErasuresReplaceTheFile() throws Exception {
        KeyStore store = KeyStore.open(dir, true, false);
        try (ChildJvm writer = ChildJvm.start(KeyWriter.class, dir.resolve("writer.err"), dir.toString(), "account-", "0", "0")) {
            for (int erasure = 1; erasure <= 5; erasure++) {
                writer.awaitLines(300 * erasure, 60);
                store.keyFor("account-erased-" + erasure);
                store.erase(Set.of("account-erased-" + erasure), erasure);
            }
            writer.awaitLines(1_800, 60);
            writer.kill9();
            KeyStore reopened = KeyStore.open(dir, false, false);
            assertKeysKept(reopened, writer.lines());
            assertEquals(Set.of("account-erased-1", "account-erased-2", "account-erased-3", "account-erased-4",
                "account-erased-5"), reopened.erasedSubjects());
        }
    }

    /** A dead writer's record cut short, longer than the next one: cut, or its remnant after the next record damages the store. */
    @Test
    void shouldCutTheRemnantOfAWriterKilledMidRecordBeforeTheNextKey() throws Exception {
        KeyStore store = KeyStore.open(dir, true, false);
        byte[] alice = store.keyFor("account-a");
        long whole = Files.size(store.file());
        store.keyFor("account-" + "x".repeat(300));
        try (FileChannel channel = FileChannel.open(store.file(), StandardOpenOption.WRITE)) {
            channel.truncate(whole + 150);
        }
        KeyStore reopened = KeyStore.open(dir, false, false);
        byte[] bob = reopened.keyFor("account-b");
        byte[] carol = reopened.keyFor("account-c");
        KeyStore again = KeyStore.open(dir, false, false);
        assertArrayEquals(alice, again.key("account-a"));
        assertArrayEquals(bob, again.key("account-b"));
        assertArrayEquals(carol, again.key("account-c"));
        assertNull(again.key("account-" + "x".repeat(300)));
        assertEquals(3, again.keyCount());
    }

    private static void assertKeysKept(KeyStore store, List<String> lines) {
        for (String line : lines) {
            String[] subjectAndKey = line.split(" ");
            assertArrayEquals(HexFormat.of().parseHex(subjectAndKey[1]), store.key(subjectAndKey[0]), subjectAndKey[0]);
        }
    }
}
