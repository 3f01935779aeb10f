package dev.indelible.ledger.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An ext4 file system in an image file, loop-mounted: a small disk for full-disk tests, and, copied
 * while mounted, the disk as a power cut would leave it. Needs root; {@link #format} skips the
 * test with a message where formatting or mounting is not allowed.
 *
 * <p>Not thread-safe.
 */
public final class LoopDisk implements AutoCloseable {
    private final Path image;
    private final Path mountPoint;
    private boolean mounted = true;

    private LoopDisk(Path image, Path mountPoint) {
        this.image = image;
        this.mountPoint = mountPoint;
    }

    /** A new sparse image of {@code size} (as {@code truncate -s} takes it), formatted and mounted. */
    public static LoopDisk format(Path image, String size, Path mountPoint, String mountOptions) throws Exception {
        assumeTrue(run("truncate", "-s", size, image.toString()) == 0, "truncate failed");
        assumeTrue(run("mkfs.ext4", "-q", "-F", "-m", "0", image.toString()) == 0, "mkfs.ext4 is not available here");
        Files.createDirectories(mountPoint);
        assumeTrue(run("mount", "-o", "loop," + mountOptions, image.toString(), mountPoint.toString()) == 0,
            "mounting a loop device is not allowed here (needs root): the test is skipped");
        return new LoopDisk(image, mountPoint);
    }

    /** Mounts an image that holds a file system already (the ext4 journal is replayed, as after a crash). */
    public static LoopDisk mount(Path image, Path mountPoint) throws Exception {
        Files.createDirectories(mountPoint);
        check(run("mount", "-o", "loop", image.toString(), mountPoint.toString()), "mount " + image);
        return new LoopDisk(image, mountPoint);
    }

    public Path mountPoint() {
        return mountPoint;
    }

    /**
     * Copies the image as the device holds it now: what the file system wrote to it, without what
     * is still only in its page cache.
     */
    public void copyImage(Path to) throws Exception {
        check(run("cp", "--sparse=always", image.toString(), to.toString()), "copy " + image);
    }

    @Override
    public void close() throws Exception {
        if (mounted) {
            mounted = false;
            if (run("umount", mountPoint.toString()) != 0) {
                run("umount", "-l", mountPoint.toString());
            }
        }
    }

    /** Runs a command, discarding its output; returns its exit code. */
    public static int run(String... command) throws IOException, InterruptedException {
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start().waitFor();
    }

    private static void check(int exit, String what) {
        if (exit != 0) {
            throw new AssertionError(what + ": exit " + exit);
        }
    }
}
