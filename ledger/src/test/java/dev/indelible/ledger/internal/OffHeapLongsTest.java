package dev.indelible.ledger.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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

    private static boolean hugePagesOnRequest() throws IOException {
        Path enabled = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");
        return Files.exists(enabled) && !Files.readString(enabled).contains("[never]");
    }

    /** The AnonHugePages of the mapping in /proc/self/smaps that holds {@code address}. */
    private static long anonHugePagesKb(long address) throws IOException {
        List<String> lines = Files.readAllLines(Path.of("/proc/self/smaps"));
        boolean inside = false;
        for (String line : lines) {
            if (line.matches("^[0-9a-f]+-[0-9a-f]+ .*")) {
                String[] range = line.substring(0, line.indexOf(' ')).split("-");
                inside = Long.parseUnsignedLong(range[0], 16) <= address && address < Long.parseUnsignedLong(range[1], 16);
            } else if (inside && line.startsWith("AnonHugePages:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return 0;
    }
}
