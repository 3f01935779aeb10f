package dev.indelible.ledger.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.indelible.ledger.ContentType;
import dev.indelible.ledger.Durability;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.EventId;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.LedgerCopy;
import dev.indelible.ledger.LedgerInUseException;
import dev.indelible.ledger.VerifyReport;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A batch appended all or nothing through a staged copy of the journal, in one process (kills: ImportCommandTest). */
class StagedAppendTest {
    private static final LedgerConfig STAGED = LedgerConfig.builder().durability(Durability.MEMORY_MAPPED).build();
    private static final int BEFORE = 100;

    @TempDir
    Path data;

    private String digestBefore;

    @BeforeEach
    void existingLedger() {
        try (Ledger ledger = Ledger.open(data, LedgerConfig.defaults())) {
            for (int i = 0; i < BEFORE; i++) {
                ledger.append("existing-" + (i % 7), ExpectedVersion.ANY, event("existing", i));
            }
            digestBefore = LedgerCopy.digest(ledger, BEFORE);
        }
    }

    @Test
    void shouldAppendEveryEventAfterTheExistingOnesWhichKeepTheirPositions() {
        int appended = Ledger.appendAllOrNothing(data, STAGED, staged -> {
            for (int i = 0; i < 20_000; i++) {
                staged.appendAsync("imported-" + (i % 1_000), ExpectedVersion.ANY, event("imported", i));
            }
            return 20_000;
        });

        assertEquals(20_000, appended);
        try (Ledger ledger = Ledger.open(data, LedgerConfig.defaults())) {
            assertEquals(BEFORE + 20_000, ledger.head());
            assertEquals(digestBefore, LedgerCopy.digest(ledger, BEFORE), "the existing events, unchanged");
            assertEquals(19, ledger.streamVersion("imported-999")); // its 20th event
            ledger.append("after", ExpectedVersion.NO_STREAM, event("after", 0)); // and it takes appends
        }
        assertClean(BEFORE + 20_001);
    }

    @Test
    void shouldAnswerARetryOfAnExistingEventAsADuplicate() {
        Ledger.appendAllOrNothing(data, STAGED, staged -> staged.append("existing-0", ExpectedVersion.ANY, event("existing", 0)));

        assertClean(BEFORE); // the existing id was found in the staged copy's index
    }

    @Test
    void shouldWriteNothingWhenTheAppendsFail() {
        IllegalStateException failed = assertThrows(IllegalStateException.class, () -> Ledger.appendAllOrNothing(data,
            STAGED, staged -> {
                staged.append("imported", ExpectedVersion.ANY, event("imported", 0));
                throw new IllegalStateException("record 2: bad");
            }));

        assertEquals("record 2: bad", failed.getMessage());
        assertClean(BEFORE);
    }

    @Test
    void shouldRefuseWhileAnotherLedgerHasItOpenWritingNothing() {
        boolean[] ran = {false};
        try (Ledger other = Ledger.open(data, LedgerConfig.defaults())) {
            LedgerInUseException refused = assertThrows(LedgerInUseException.class, () -> Ledger.appendAllOrNothing(data, STAGED,
                staged -> ran[0] = true));
            assertTrue(refused.getMessage().contains("has " + data.toAbsolutePath() + " open"), refused.getMessage());
            assertTrue(refused.getMessage().contains("Nothing was imported"), refused.getMessage());
            other.append("other", ExpectedVersion.ANY, event("other", 0)); // still open, still appending
        }
        assertFalse(ran[0], "refused before staging");
        assertClean(BEFORE + 1);
    }

    @Test
    void shouldRefuseWhenAnotherWriterAppendedWhileItWasStagedKeepingThatAppend() {
        LedgerInUseException refused = assertThrows(LedgerInUseException.class, () -> Ledger.appendAllOrNothing(data, STAGED,
            staged -> {
                staged.append("imported", ExpectedVersion.ANY, event("imported", 0));
                try (Ledger other = Ledger.open(data, LedgerConfig.defaults())) {
                    return other.append("other", ExpectedVersion.ANY, event("other", 0));
                }
            }));

        assertTrue(refused.getMessage().startsWith("1 events were appended to " + data.toAbsolutePath()), refused.getMessage());
        assertClean(BEFORE + 1);
    }

    @Test
    void shouldDeleteAStagingWhoseOwnerIsGoneAtTheNextOpen() throws Exception {
        Path staging = data.resolve(StagedAppend.DIR);
        Files.createDirectories(staging.resolve("journal"));
        Files.writeString(staging.resolve("journal").resolve("half-copied.cq4"), "x");
        try (FileChannel lock = FileChannel.open(staging.resolve("owner.lock"), StandardOpenOption.CREATE,
            StandardOpenOption.WRITE)) {
            lock.lock(); // an import of this process, still running: kept
            Ledger.open(data, LedgerConfig.defaults()).close();
            assertTrue(Files.exists(staging));
        }

        Ledger.open(data, LedgerConfig.defaults()).close();

        assertFalse(Files.exists(staging));
    }

    private void assertClean(long events) {
        assertFalse(Files.exists(data.resolve(StagedAppend.DIR)), "no staging left");
        VerifyReport report = Ledger.verify(data);
        assertTrue(report.ok(), report.problems().toString());
        assertEquals(events, report.eventsChecked());
        try (Ledger ledger = Ledger.open(data, LedgerConfig.defaults())) {
            assertEquals(digestBefore, LedgerCopy.digest(ledger, BEFORE));
        }
    }

    private static EventData event(String kind, int i) {
        byte[] json = ("{\"i\":" + i + "}").getBytes(StandardCharsets.UTF_8);
        return new EventData(EventId.of(UUID.nameUUIDFromBytes((kind + i).getBytes(StandardCharsets.UTF_8))), kind + ".done",
            ContentType.JSON, json, Map.of());
    }
}
