package dev.indelible.ledger.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A loop-mounted ext4 that keeps unsynced writes out of its image: ext4 commits every 600 s and the
 * kernel's periodic writeback ({@code vm.dirty_writeback_centisecs}) is off until {@link #close},
 * which restores it. A copy of the image taken while the writer is stopped or dead is the disk a
 * power cut at that moment leaves; a canary proves the harness forgets before it is used. Needs
 * root; skipped with a message otherwise (see {@link LoopDisk#format}).
 *
 * <p>Not thread-safe.
 */
public final class ForgetfulDisk implements AutoCloseable {
    private static final Path WRITEBACK = Path.of("/proc/sys/vm/dirty_writeback_centisecs");

    private final LoopDisk disk;
    private final Path tmp;
    private final String writebackBefore;

    private ForgetfulDisk(LoopDisk disk, Path tmp, String writebackBefore) {
        this.disk = disk;
        this.tmp = tmp;
        this.writebackBefore = writebackBefore;
    }

    /** A new 512 MiB disk, its image and mount point in {@code tmp}, checked to forget. */
    public static ForgetfulDisk format(Path tmp) throws Exception {
        LoopDisk disk = LoopDisk.format(tmp.resolve("disk.img"), "512M", tmp.resolve("mnt"), "commit=600");
        String before;
        // Not Files.readString: procfs reports size 0, and it returned "5" of "500" here.
        try (var in = Files.newBufferedReader(WRITEBACK)) {
            before = in.readLine().trim();
        }
        Files.writeString(WRITEBACK, "0");
        ForgetfulDisk forgetful = new ForgetfulDisk(disk, tmp, before);
        try {
            forgetful.assertUnsyncedWritesAreForgotten();
        } catch (Throwable e) {
            forgetful.close();
            throw e;
        }
        return forgetful;
    }

    public Path mountPoint() {
        return disk.mountPoint();
    }

    /** The disk as a power cut now would leave it. */
    public void copyImage(Path to) throws Exception {
        disk.copyImage(to);
    }

    /** Unmounts the disk and restores the writeback interval. */
    @Override
    public void close() throws Exception {
        try {
            disk.close();
        } finally {
            Files.writeString(WRITEBACK, writebackBefore);
            try (var in = Files.newBufferedReader(WRITEBACK)) {
                assertEquals(writebackBefore, in.readLine().trim(), "the writeback interval was not restored");
            }
        }
    }

    /** The harness must forget: a write never synced is not on a copy of the image. */
    private void assertUnsyncedWritesAreForgotten() throws Exception {
        Files.write(mountPoint().resolve("canary"), new byte[1 << 20]);
        Path image = tmp.resolve("canary.img");
        disk.copyImage(image);
        try (LoopDisk copy = LoopDisk.mount(image, tmp.resolve("canary"))) {
            Path canary = copy.mountPoint().resolve("canary");
            assertTrue(!Files.exists(canary) || Files.size(canary) == 0, "the file system wrote back a write nobody"
                + " synced: a copy of its image is not what a power cut leaves, and this test would prove nothing");
        }
        Files.delete(image);
        Files.delete(mountPoint().resolve("canary"));
    }
}
