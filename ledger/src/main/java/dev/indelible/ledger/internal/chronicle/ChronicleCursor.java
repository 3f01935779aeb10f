package dev.indelible.ledger.internal.chronicle;

import dev.indelible.ledger.spi.JournalCursor;
import dev.indelible.ledger.spi.RecordBuffer;
import java.io.File;
import java.util.function.Consumer;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * A Chronicle tailer behind the journal cursor interface. Chronicle only shows a document once
 * its writer completed it, so a record being written or torn by a crash is never returned.
 *
 * <p>Not thread-safe.
 */
final class ChronicleCursor implements JournalCursor {
    private final ExcerptTailer tailer;
    private int fileCycle = Integer.MIN_VALUE;
    private String fileName = "";
    private final Consumer<File> onNewFile;

    /** {@code onNewFile} hears of each cycle file the cursor starts reading records from. */
    ChronicleCursor(SingleChronicleQueue queue, Consumer<File> onNewFile) {
        this.tailer = queue.createTailer();
        this.onNewFile = onNewFile;
        // The ledger's catch-up cursor is used by whichever thread holds the write lock.
        tailer.singleThreadedCheckDisabled(true);
    }

    @Override
    public boolean next(RecordBuffer into) {
        try (DocumentContext dc = tailer.readingDocument()) {
            if (!dc.isPresent()) {
                return false;
            }
            Bytes<?> bytes = dc.wire().bytes();
            long start = bytes.readPosition();
            int length = (int) bytes.readRemaining();
            bytes.read(into.prepare(length), 0, length);
            // The 4-byte Chronicle header sits just before the record's bytes.
            into.locate(dc.index(), currentFileName(), start - 4);
            return true;
        }
    }

    private String currentFileName() {
        int cycle = tailer.cycle();
        if (cycle != fileCycle) {
            File file = tailer.currentFile();
            fileName = file == null ? "cycle-" + cycle : file.getName();
            fileCycle = cycle;
            if (file != null) {
                onNewFile.accept(file);
            }
        }
        return fileName;
    }

    @Override
    public boolean seek(long address) {
        return tailer.moveToIndex(address);
    }

    @Override
    public void toStart() {
        tailer.toStart();
    }

    @Override
    public void close() {
        tailer.close();
    }
}
