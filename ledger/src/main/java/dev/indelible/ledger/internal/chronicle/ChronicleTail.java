package dev.indelible.ledger.internal.chronicle;

import dev.indelible.ledger.AtomicFile;
import dev.indelible.ledger.LedgerException;
import dev.indelible.ledger.RollCycle;
import dev.indelible.ledger.internal.DataDirectory;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * The end of a Chronicle journal after a crash: finds bytes a power cut left after the last
 * complete record, and cuts an incomplete tail off by rebuilding the last cycle file from the
 * records before it. Chronicle has no truncation, and zeroing bytes in place would leave its
 * write position and index pointing into the hole; a rebuilt file gives each kept record the same
 * index. The cut files are moved aside, never deleted.
 *
 * <p>Stateless; {@link #cut} needs the journal closed in this process and no other writer.
 */
public final class ChronicleTail {
    /** How far past the last record to look for leftovers of a torn write. */
    private static final int SCAN_BYTES = 1 << 20;
    /** Chronicle's end-of-cycle marker (a metadata header with no length), little-endian. */
    private static final int END_OF_CYCLE = 0xC000_0000;

    private ChronicleTail() {
    }

    /** What a cut removed, for the audit trail and the log. */
    public record Cut(String file, long keptRecords, long cutBytes, Path movedTo) {
    }

    /**
     * Whether anything but zeros (or an end-of-cycle marker) follows the record whose 4-byte
     * header starts at {@code headerOffset}: a scrambled header Chronicle would stall on.
     */
    public static boolean junkAfter(Path journalDir, String file, long headerOffset, int length) throws IOException {
        long end = align4(headerOffset + 4 + length);
        try (RandomAccessFile raf = new RandomAccessFile(journalDir.resolve(file).toFile(), "r")) {
            long size = raf.length();
            if (end >= size) {
                return false;
            }
            byte[] bytes = new byte[(int) Math.min(SCAN_BYTES, size - end)];
            raf.seek(end);
            raf.readFully(bytes);
            int from = bytes.length >= 4
                && ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getInt(0) == END_OF_CYCLE ? 4 : 0;
            for (int i = from; i < bytes.length; i++) {
                if (bytes[i] != 0) {
                    return true;
                }
            }
            return false;
        }
    }

    /**
     * Keeps the records before {@code firstCutIndex} in its cycle and moves that cycle's file, and
     * every later one, to {@code damagedDir}; a rebuilt file with the kept records takes its place.
     */
    public static Cut cut(Path journalDir, RollCycle rollCycle, long firstCutIndex, Path damagedDir) {
        net.openhft.chronicle.queue.RollCycle cycles = ChronicleJournal.toChronicle(rollCycle);
        int cycle = cycles.toCycle(firstCutIndex);
        long keep = cycles.toSequenceNumber(firstCutIndex);
        Path rebuilt = journalDir.resolveSibling(journalDir.getFileName() + "-repair");
        try {
            deleteTree(rebuilt);
            String name = fileName(cycles, cycle);
            List<Path> moving = filesFrom(journalDir, name);
            long cutBytes = 0;
            for (Path p : moving) {
                cutBytes += Files.size(p);
            }
            if (keep > 0) {
                copyRecords(journalDir, rebuilt, cycles, cycle, keep);
            }
            Path target = damagedDir.resolve(Instant.now().toString().replace(':', '-'));
            Files.createDirectories(target);
            for (Path p : moving) {
                AtomicFile.move(p, target.resolve(p.getFileName()));
            }
            if (keep > 0) {
                try (var files = Files.list(rebuilt)) {
                    for (Path p : files.filter(f -> f.toString().endsWith(".cq4")).toList()) {
                        DataDirectory.secure(p);
                        AtomicFile.move(p, journalDir.resolve(p.getFileName()));
                    }
                }
            }
            deleteTree(rebuilt);
            return new Cut(name, keep, cutBytes, target);
        } catch (IOException e) {
            throw new LedgerException("cannot cut the torn tail of " + journalDir + ": " + e.getMessage(), e);
        }
    }

    private static void copyRecords(Path journalDir, Path rebuilt, net.openhft.chronicle.queue.RollCycle cycles,
                                    int cycle, long keep) {
        try (SingleChronicleQueue from = SingleChronicleQueueBuilder.binary(journalDir).rollCycle(cycles).readOnly(true).build();
             SingleChronicleQueue to = SingleChronicleQueueBuilder.binary(rebuilt).rollCycle(cycles)
                 .timeProvider(new SetTimeProvider(cycleStart(cycles, cycle).plusMillis(1))).build();
             ExcerptTailer tailer = from.createTailer();
             ExcerptAppender appender = to.createAppender()) {
            if (!tailer.moveToIndex(cycles.toIndex(cycle, 0))) {
                throw new LedgerException("cannot find the first record of cycle " + cycle + " in " + journalDir);
            }
            for (long seq = 0; seq < keep; seq++) {
                try (DocumentContext in = tailer.readingDocument()) {
                    if (!in.isPresent() || in.index() != cycles.toIndex(cycle, seq)) {
                        throw new LedgerException("record " + seq + " of cycle " + cycle + " in " + journalDir
                            + " cannot be read back for the repair");
                    }
                    Bytes<?> bytes = in.wire().bytes();
                    try (DocumentContext out = appender.writingDocument()) {
                        out.wire().bytes().write(bytes, bytes.readPosition(), bytes.readRemaining());
                    }
                }
                if (appender.lastIndexAppended() != cycles.toIndex(cycle, seq)) {
                    throw new LedgerException("the repaired copy of cycle " + cycle + " would move record " + seq);
                }
            }
            appender.sync();
        }
    }

    /** Cycle file names sort like their cycles in every roll cycle the ledger offers. */
    private static List<Path> filesFrom(Path journalDir, String first) throws IOException {
        List<Path> files = new ArrayList<>();
        try (var list = Files.list(journalDir)) {
            for (Path p : list.sorted().toList()) {
                String name = p.getFileName().toString();
                if (name.endsWith(".cq4") && name.length() == first.length() && name.compareTo(first) >= 0) {
                    files.add(p);
                }
            }
        }
        return files;
    }

    private static String fileName(net.openhft.chronicle.queue.RollCycle cycles, int cycle) {
        return DateTimeFormatter.ofPattern(cycles.format()).withZone(ZoneOffset.UTC).format(cycleStart(cycles, cycle)) + ".cq4";
    }

    private static Instant cycleStart(net.openhft.chronicle.queue.RollCycle cycles, int cycle) {
        return Instant.ofEpochMilli(cycles.defaultEpoch() + (long) cycle * cycles.lengthInMillis());
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static long align4(long position) {
        return (position + 3) & ~3L;
    }
}
