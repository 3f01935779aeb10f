package dev.indelible.ledger.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.indelible.ledger.EventData;
import dev.indelible.ledger.EventId;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checkpoint read on a thread of its own while the journal starts ({@link Checkpoint#loading}). */
class CheckpointTest {
    private static final byte[] PAYLOAD = {1, 2, 3};

    @TempDir
    Path dir;

    @Test
    void shouldReadOnItsOwnThreadTheStateAReadInPlaceGives() throws IOException {
        List<EventId> ids = closedLedgerOf(5_000);
        Path stateDir = dir.resolve("journal-state");

        try (LedgerState inPlace = new Checkpoint(stateDir).load();
             LedgerState beside = Checkpoint.loading(stateDir).load()) {
            assertNotNull(inPlace);
            assertNotNull(beside);
            assertEquals(5_000, beside.nextSeq());
            assertEquals(inPlace.lastAddress(), beside.lastAddress());
            assertEquals(inPlace.streams().size(), beside.streams().size());
            assertEquals(5_000, beside.eventIds().size());
            for (EventId id : ids) {
                long fingerprint = EventIdIndex.fingerprint(id.mostSignificant(), id.leastSignificant());
                assertEquals(inPlace.eventIds().find(fingerprint, a -> true), beside.eventIds().find(fingerprint, a -> true));
            }
        }
    }

    @Test
    void shouldReadADamagedCheckpointOnItsOwnThreadAsNone() throws IOException {
        closedLedgerOf(1_000);
        Path file = dir.resolve("journal-state").resolve(Checkpoint.FILE_NAME);
        try (var channel = java.nio.channels.FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.write(java.nio.ByteBuffer.wrap(new byte[] {(byte) 0xFF}), Files.size(file) / 2);
        }

        assertNull(Checkpoint.loading(dir.resolve("journal-state")).load());
    }

    @Test
    void shouldLetAnOpenThatFailedDiscardWhatItsThreadRead() throws IOException {
        closedLedgerOf(1_000);
        Checkpoint checkpoint = Checkpoint.loading(dir.resolve("journal-state"));

        checkpoint.discard();

        // Taken once: a later load reads the file again, in place.
        try (LedgerState again = checkpoint.load()) {
            assertEquals(1_000, again.nextSeq());
        }
    }

    private List<EventId> closedLedgerOf(int events) {
        List<EventId> ids = new ArrayList<>();
        try (Ledger ledger = Ledger.open(dir, LedgerConfig.defaults())) {
            for (int i = 0; i < events; i++) {
                EventData event = EventData.protobuf("t", PAYLOAD);
                ids.add(event.eventId());
                ledger.append("stream-" + i % 10, ExpectedVersion.ANY, event);
            }
        }
        return ids;
    }
}
