package dev.indelible.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.indelible.ledger.testing.LoopDisk;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal on a small loop-mounted ext4 that fills up under eight appending threads: no
 * SIGBUS, no JVM crash; appends are refused with {@link JournalFullException} naming the
 * directory and the free space, nothing half-written; every acknowledged event is intact; appends
 * resume in the same ledger once space is freed. Needs root to mount; skipped with a message
 * otherwise.
 */
class FullDiskTest {
    private static final int THREADS = 8;
    private static final int PAYLOAD = 2048;

    @TempDir
    Path tmp;
    private LoopDisk disk;
    private Path mount;

    @BeforeEach
    void mountSmallDisk() throws Exception {
        disk = LoopDisk.format(tmp.resolve("disk.img"), "160M", tmp.resolve("mnt"), "rw");
        mount = disk.mountPoint();
    }

    @AfterEach
    void unmount() throws Exception {
        if (disk != null) {
            disk.close();
        }
    }

    @Test
    void shouldRefuseAppendsCleanlyWhenTheDiskIsFullAndResumeWhenSpaceIsFreed() throws Exception {
        Path ballast = mount.resolve("ballast");
        Files.write(ballast, new byte[40 << 20]);
        Path data = mount.resolve("data");
        List<byte[]>[] acknowledged = acknowledgedLists();
        List<Throwable> unexpected = new CopyOnWriteArrayList<>();
        ConcurrentHashMap<Integer, JournalFullException> refusals = new ConcurrentHashMap<>();
        // A small reserve, and a neighbour filling the disk at the same time: the disk really fills,
        // so preallocation, not the reserve, is what stands between the memory map and a SIGBUS.
        LedgerConfig config = LedgerConfig.builder().durability(Durability.SYNC).freeSpaceReserve(1 << 20).build();
        Path neighbour = mount.resolve("neighbour");
        try (Ledger ledger = Ledger.open(data, config)) {
            Thread filler = new Thread(() -> fillDisk(neighbour));
            filler.start();
            CountDownLatch done = new CountDownLatch(THREADS);
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                new Thread(() -> {
                    try {
                        fill(ledger, thread, acknowledged[thread], refusals);
                    } catch (Throwable e) {
                        unexpected.add(e);
                    } finally {
                        done.countDown();
                    }
                }).start();
            }
            done.await();
            filler.join();
            assertTrue(unexpected.isEmpty(), "only JournalFullException may stop an append: " + unexpected);
            assertEquals(THREADS, refusals.size(), "every thread was refused");
            JournalFullException refusal = refusals.get(0);
            assertTrue(refusal.getMessage().contains(data.resolve("journal").toString()), refusal.getMessage());
            assertTrue(refusal.getMessage().contains(refusal.freeBytes() + " bytes free"), refusal.getMessage());
            long total = total(acknowledged);
            assertTrue(total > 1_000, "the ledger appended while the disk filled: " + total);
            assertEquals(total, ledger.head(), "a refused append left nothing behind");
            System.out.printf("FullDiskTest: %d events (%d MiB) acknowledged before the disk filled; %d bytes free at"
                + " the refusal%n", total, total * PAYLOAD >> 20, refusal.freeBytes());

            Files.delete(ballast);
            Files.delete(neighbour);
            for (int t = 0; t < THREADS; t++) {
                for (int i = 0; i < 10; i++) {
                    append(ledger, t, acknowledged[t]);
                }
            }
        }
        try (Ledger ledger = Ledger.open(data, LedgerConfig.defaults())) {
            int[] next = new int[THREADS];
            for (long from = 0; ; ) {
                List<RecordedEvent> page = ledger.read(from, 1000);
                if (page.isEmpty()) {
                    break;
                }
                for (RecordedEvent e : page) {
                    int thread = Integer.parseInt(e.stream().substring(1));
                    assertArrayEquals(acknowledged[thread].get(next[thread]++), e.payload(), "event " + e.globalSeq());
                }
                from += page.size();
            }
            for (int t = 0; t < THREADS; t++) {
                assertEquals(acknowledged[t].size(), next[t], "thread " + t + ": every acknowledged event is there");
            }
        }
        assertTrue(Ledger.verify(data).ok());
    }

    /** Writes until the file system is full. */
    private static void fillDisk(Path file) {
        byte[] chunk = new byte[128 << 10]; // about 25 MiB/s: the ledger keeps appending while it fills
        try (var out = Files.newOutputStream(file)) {
            while (true) {
                out.write(chunk);
                out.flush();
                Thread.sleep(5); // the neighbour's pace, not a wait for something
            }
        } catch (IOException | InterruptedException full) {
            // no space left: the neighbour is done
        }
    }

    private static void fill(Ledger ledger, int thread, List<byte[]> acknowledged,
                             ConcurrentHashMap<Integer, JournalFullException> refusals) {
        while (true) {
            try {
                append(ledger, thread, acknowledged);
            } catch (JournalFullException e) {
                refusals.put(thread, e);
                return;
            }
        }
    }

    private static void append(Ledger ledger, int thread, List<byte[]> acknowledged) {
        byte[] payload = new byte[PAYLOAD];
        ByteBuffer.wrap(payload).putInt(thread).putInt(acknowledged.size());
        AppendResult result = ledger.append("t" + thread, ExpectedVersion.ANY, EventData.protobuf("fill", payload));
        assertTrue(result instanceof AppendResult.Appended, result.toString());
        acknowledged.add(payload);
    }

    @SuppressWarnings("unchecked")
    private static List<byte[]>[] acknowledgedLists() {
        List<byte[]>[] lists = new List[THREADS];
        for (int t = 0; t < THREADS; t++) {
            lists[t] = new ArrayList<>();
        }
        return lists;
    }

    private static long total(List<byte[]>[] lists) {
        long n = 0;
        for (List<byte[]> l : lists) {
            n += l.size();
        }
        return n;
    }
}
