package dev.indelible.ledger.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.indelible.ledger.testing.Await;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class OffHeapLongsTest {
    private static final long HUGE_PAGE = 2L << 20;

    @Test
    void aLargeTableStartsOnAHugePageAndIsBackedByHugePagesWhereTheKernelOffersThem() throws IOException {
        OffHeapLongs table = new OffHeapLongs(8 * HUGE_PAGE / Long.BYTES); // 16 MiB, zeroed: every page touched
        try {
            assertEquals(0, table.address() % HUGE_PAGE, "address " + Long.toHexString(table.address()));
            for (long i = 0; i < table.length(); i += 4096) {
                assertEquals(0, table.get(i));
                table.set(i, i + 1);
            }
            assertEquals(4097, table.get(4096));
            assumeTrue(hugePagesOnRequest(), "transparent huge pages are off on this kernel");
            assertTrue(anonHugePagesKb(table.address()) >= 8 * 1024,
                "the table's mapping has " + anonHugePagesKb(table.address()) + " kB in huge pages");
        } finally {
            table.free();
        }
    }

    @Test
    void aSmallTableIsPlainMemory() {
        OffHeapLongs table = new OffHeapLongs(1024);
        try {
            table.set(1023, 7);
            assertEquals(7, table.get(1023));
            assertEquals(0, table.get(0));
        } finally {
            table.free();
        }
    }

    /**
     * A table loaded from a checkpoint is written whole from its start while another thread faults
     * it in from its end: the memory is there when the writer reaches it, and what was written stays.
     */
    @Test
    void shouldFaultALargeArrayInFromItsEndOnAnotherThreadLeavingItsContent() throws Exception {
        assumeTrue(kernelAtLeast(5, 14), "MADV_POPULATE_WRITE needs Linux 5.14: " + System.getProperty("os.version"));
        OffHeapLongs table = OffHeapLongs.unzeroed(2 * OffHeapLongs.PREFAULT_MIN_BYTES / Long.BYTES); // 64 MiB
        try {
            long bytes = table.length() * Long.BYTES;
            table.set(0, 11);
            table.set(table.length() / 2, 12);
            table.set(table.length() - 1, 13);
            long residentBefore = mappingKb(table.address(), "Rss:");
            try (OffHeapLongs.Prefault prefault = table.prefaultFromEnd()) {
                Await.await(() -> prefault.faultedBytes() == bytes - HUGE_PAGE, Duration.ofSeconds(20),
                    () -> prefault.faultedBytes() + " of " + bytes + " bytes faulted in");
            }
            long residentKb = mappingKb(table.address(), "Rss:");
            assertTrue(residentKb >= (bytes - HUGE_PAGE) / 1024, "resident " + residentKb + " kB, " + residentBefore + " before");
            assertEquals(11, table.get(0));
            assertEquals(12, table.get(table.length() / 2));
            assertEquals(13, table.get(table.length() - 1));
        } finally {
            table.free();
        }
    }

    /** Where the caller has already written, the thread has nothing left to do: it stops there. */
    @Test
    void shouldStopFaultingWhereTheWriterHasReached() throws Exception {
        OffHeapLongs table = OffHeapLongs.unzeroed(2 * OffHeapLongs.PREFAULT_MIN_BYTES / Long.BYTES);
        try {
            try (OffHeapLongs.Prefault prefault = table.prefaultFromEnd()) {
                prefault.reached(table.length());
                long faulted = prefault.faultedBytes();
                Thread.onSpinWait();
                prefault.close();
                assertTrue(prefault.faultedBytes() <= faulted + HUGE_PAGE,
                    "went on after the writer reached the end: " + faulted + " then " + prefault.faultedBytes());
            }
        } finally {
            table.free();
        }
    }

    private static boolean kernelAtLeast(int major, int minor) {
        String[] version = System.getProperty("os.version").split("[.-]");
        int actualMajor = Integer.parseInt(version[0]);
        return System.getProperty("os.name").equals("Linux")
            && (actualMajor > major || actualMajor == major && Integer.parseInt(version[1]) >= minor);
    }

    private static boolean hugePagesOnRequest() throws IOException {
        Path enabled = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");
        return Files.exists(enabled) && !Files.readString(enabled).contains("[never]");
    }

    private static long anonHugePagesKb(long address) throws IOException {
        return mappingKb(address, "AnonHugePages:");
    }

    /** A field of the mapping in /proc/self/smaps that holds {@code address}, in kB. */
    private static long mappingKb(long address, String field) throws IOException {
        List<String> lines = Files.readAllLines(Path.of("/proc/self/smaps"));
        boolean inside = false;
        for (String line : lines) {
            if (line.matches("^[0-9a-f]+-[0-9a-f]+ .*")) {
                String[] range = line.substring(0, line.indexOf(' ')).split("-");
                inside = Long.parseUnsignedLong(range[0], 16) <= address && address < Long.parseUnsignedLong(range[1], 16);
            } else if (inside && line.startsWith(field)) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return 0;
    }
}
