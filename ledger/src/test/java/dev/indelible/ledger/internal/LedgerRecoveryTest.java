package dev.indelible.ledger.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.Durability;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.EventId;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.LedgerException;
import dev.indelible.ledger.RollCycle;
import dev.indelible.ledger.internal.chronicle.ChronicleJournal;
import dev.indelible.ledger.spi.Journal;
import dev.indelible.ledger.spi.JournalCursor;
import dev.indelible.ledger.spi.WriteTransaction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reopening restores sequences, versions and idempotency, whatever state the checkpoint is in. */
class LedgerRecoveryTest {
    private static final byte[] PAYLOAD = {1, 2, 3, 4};

    @TempDir
    Path dir;

    @Test
    void shouldRestoreIndexesFromTheCheckpointAndTheTail() {
        List<EventId> ids = appendEvents(LedgerConfig.defaults(), 3_000);

        try (Ledger ledger = Ledger.open(dir, LedgerConfig.defaults())) {
            assertReopenedState(ledger, ids);
        }
    }

    @Test
    void shouldRebuildFromTheJournalWhenTheCheckpointIsDamaged() throws IOException {
        List<EventId> ids = appendEvents(LedgerConfig.defaults(), 3_000);
        Path checkpoint = dir.resolve("journal-state").resolve(Checkpoint.FILE_NAME);
        byte[] bytes = Files.readAllBytes(checkpoint);
        bytes[bytes.length / 2] ^= 0x40;
        Files.write(checkpoint, bytes);

        try (Ledger ledger = Ledger.open(dir, LedgerConfig.defaults())) {
            assertReopenedState(ledger, ids);
        }
    }

    @Test
    void shouldBelieveNoSizeInADamagedCheckpoint() throws IOException {
        List<EventId> ids = appendEvents(LedgerConfig.defaults(), 3_000);
        Path checkpoint = dir.resolve("journal-state").resolve(Checkpoint.FILE_NAME);
        byte[] bytes = Files.readAllBytes(checkpoint);
        // The stream count after magic, next seq, last CRC and last address: two billion streams.
        java.nio.ByteBuffer.wrap(bytes).putInt(8 + 8 + 4 + 8, Integer.MAX_VALUE);
        Files.write(checkpoint, bytes);

        try (Ledger ledger = Ledger.open(dir, LedgerConfig.defaults())) {
            assertReopenedState(ledger, ids);
        }
    }

    @Test
    void shouldRebuildWhenTheCheckpointBelongsToAnotherJournal() throws IOException {
        Path other = dir.resolve("other");
        try (Ledger ledger = Ledger.open(other, LedgerConfig.defaults())) {
            ledger.append("x", ExpectedVersion.ANY, EventData.protobuf("t", PAYLOAD));
        }
        List<EventId> ids = appendEvents(LedgerConfig.defaults(), 10);
        Files.copy(other.resolve("journal-state").resolve(Checkpoint.FILE_NAME),
            dir.resolve("journal-state").resolve(Checkpoint.FILE_NAME), java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        try (Ledger ledger = Ledger.open(dir, LedgerConfig.defaults())) {
            assertReopenedState(ledger, ids);
        }
    }

    @Test
    void shouldScanOnlyTheTailAfterThePeriodicCheckpoint() throws InterruptedException {
        LedgerConfig config = LedgerConfig.builder().checkpointInterval(1_000).build();
        Path checkpoint = dir.resolve("journal-state").resolve(Checkpoint.FILE_NAME);
        try (Ledger running = Ledger.open(dir, config)) {
            for (int i = 0; i < 2_500; i++) {
                running.append("stream-" + (i % 10), ExpectedVersion.ANY, EventData.protobuf("t", PAYLOAD));
            }
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!Files.exists(checkpoint) && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertTrue(Files.exists(checkpoint), "a periodic checkpoint must be written while the ledger runs");

            // A second instance opens while the first has not closed, as after a crash.
            try (Ledger reopened = Ledger.open(dir, config)) {
                assertEquals(2_500, reopened.head());
                assertTrue(reopened.metrics().caughtUp() <= 1_500,
                    "only the tail after the checkpoint is scanned, was " + reopened.metrics().caughtUp());
            }
        }
    }

    @Test
    void shouldFailPendingAppendsAndStopAcceptingWhenASyncFails() throws Exception {
        AtomicBoolean syncFails = new AtomicBoolean();
        Path journalDir = Files.createDirectories(dir.resolve("journal"));
        Journal journal = new FailingSyncJournal(new ChronicleJournal(journalDir, RollCycle.DAILY), syncFails);
        LedgerConfig config = LedgerConfig.builder().durability(Durability.SYNC).build();
        try (Ledger ledger = DefaultLedger.open(journal, Files.createDirectories(dir.resolve("state")), config)) {
            assertInstanceOf(AppendResult.Appended.class, ledger.append("s", ExpectedVersion.ANY, EventData.protobuf("t", PAYLOAD)));

            syncFails.set(true);
            CompletableFuture<AppendResult> pending = ledger.appendAsync("s", ExpectedVersion.ANY, EventData.protobuf("t", PAYLOAD));

            ExecutionException failed = assertThrows(ExecutionException.class, pending::get);
            assertInstanceOf(LedgerException.class, failed.getCause());
            syncFails.set(false);
            LedgerException refused = assertThrows(LedgerException.class,
                () -> ledger.append("s", ExpectedVersion.ANY, EventData.protobuf("t", PAYLOAD)));
            assertTrue(refused.getMessage().contains("sync failed"), refused.getMessage());
        }
    }

    private List<EventId> appendEvents(LedgerConfig config, int count) {
        List<EventId> ids = new ArrayList<>();
        try (Ledger ledger = Ledger.open(dir, config)) {
            for (int i = 0; i < count; i++) {
                EventData event = EventData.protobuf("t", PAYLOAD);
                ids.add(event.eventId());
                ledger.append("stream-" + (i % 10), ExpectedVersion.ANY, event);
            }
        }
        return ids;
    }

    private static void assertReopenedState(Ledger ledger, List<EventId> ids) {
        assertEquals(ids.size(), ledger.head());
        assertEquals(ids.size() / 10 - 1 + (ids.size() % 10 > 0 ? 1 : 0), ledger.streamVersion("stream-0"));
        for (int i : new int[] {0, ids.size() / 2, ids.size() - 1}) {
            AppendResult retry = ledger.append("stream-" + (i % 10), ExpectedVersion.ANY,
                new EventData(ids.get(i), "t", dev.indelible.ledger.ContentType.PROTOBUF, PAYLOAD, null));
            AppendResult.Appended appended = assertInstanceOf(AppendResult.Appended.class, retry);
            assertTrue(appended.duplicate(), "event " + i + " must be recognised as a retry");
            assertEquals(i, appended.firstGlobalSeq());
        }
        AppendResult next = ledger.append("stream-0", ExpectedVersion.ANY, EventData.protobuf("t", PAYLOAD));
        assertEquals(ids.size(), ((AppendResult.Appended) next).firstGlobalSeq());
        assertTrue(ledger.verify().ok());
    }

    /** The real journal, with a switch that makes sync fail as an I/O error would. */
    private record FailingSyncJournal(Journal delegate, AtomicBoolean syncFails) implements Journal {
        @Override
        public long write(WriteTransaction transaction) throws IOException {
            return delegate.write(transaction);
        }

        @Override
        public JournalCursor openCursor() {
            return delegate.openCursor();
        }

        @Override
        public void sync() throws IOException {
            if (syncFails.get()) {
                throw new IOException("Input/output error (injected)");
            }
            delegate.sync();
        }

        @Override
        public String describe() {
            return delegate.describe();
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
