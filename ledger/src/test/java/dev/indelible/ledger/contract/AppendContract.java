package dev.indelible.ledger.contract;

import static dev.indelible.ledger.ExpectedVersion.ANY;
import static dev.indelible.ledger.ExpectedVersion.NO_STREAM;
import static dev.indelible.ledger.ExpectedVersion.STREAM_EXISTS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.indelible.ledger.AppendReceipt;
import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.ContentType;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.EventId;
import dev.indelible.ledger.RecordedEvent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Appends: positions, expected versions, atomic batches, idempotency. */
public abstract class AppendContract extends LedgerContract {

    @Test
    void shouldRecordEveryFieldOfAnAppendedEvent() {
        open();
        EventId id = EventId.random();
        byte[] payload = "{\"user_id\":1201911108}".getBytes(StandardCharsets.UTF_8);
        EventData event = new EventData(id, "selfie.submitted", ContentType.JSON, payload, Map.of("trace", "t-1"));

        AppendResult.Appended a = appended(ledger.append("selfies-user-1201911108", NO_STREAM, event));
        RecordedEvent read = ledger.read(0, 10).get(0);

        assertEquals(0, a.firstGlobalSeq());
        assertEquals(0, a.firstStreamVersion());
        assertEquals(1, ledger.head());
        assertEquals(0, read.globalSeq());
        assertEquals("selfies-user-1201911108", read.stream());
        assertEquals(0, read.streamVersion());
        assertEquals(id, read.eventId());
        assertEquals("selfie.submitted", read.type());
        assertEquals(ContentType.JSON, read.contentType());
        assertArrayEquals(payload, read.payload());
        assertEquals(Map.of("trace", "t-1"), read.metadata());
        assertEquals("contract-test", read.producerId());
        assertEquals(NOW.getEpochSecond() * 1_000_000 + NOW.getNano() / 1_000, read.recordedAtMicros());
    }

    @Test
    void shouldGiveTheEventsOfOneAppendConsecutivePositions() {
        open();
        ledger.append("other", ANY, event(0));

        AppendResult.Appended a = appended(ledger.append("s", ANY, List.of(event(1), event(2), event(3))));

        assertEquals(1, a.firstGlobalSeq());
        assertEquals(3, a.lastGlobalSeq());
        assertEquals(2, a.lastStreamVersion());
        assertEquals(List.of(0L, 1L, 2L), ledger.readStream("s", 0, 10).stream().map(RecordedEvent::streamVersion).toList());
    }

    @Test
    void shouldCreateAStreamOnlyOnceWithNoStream() {
        open();
        appended(ledger.append("email-alice@example.com", NO_STREAM, event(1)));

        AppendResult second = ledger.append("email-alice@example.com", NO_STREAM, event(2));

        AppendResult.WrongExpectedVersion w = assertInstanceOf(AppendResult.WrongExpectedVersion.class, second);
        assertEquals(0, w.actualVersion());
        assertEquals(NO_STREAM, w.expectedVersion());
        assertEquals(1, ledger.head());
    }

    @Test
    void shouldRefuseStreamExistsOnAMissingStream() {
        open();

        AppendResult r = ledger.append("member-nobody", STREAM_EXISTS, event(1));

        assertEquals(NO_STREAM, assertInstanceOf(AppendResult.WrongExpectedVersion.class, r).actualVersion());
        assertEquals(0, ledger.head());
        appended(ledger.append("member-nobody", NO_STREAM, event(2)));
        appended(ledger.append("member-nobody", STREAM_EXISTS, event(3)));
    }

    @Test
    void shouldAppendAtTheExactVersionAndRefuseAStaleOne() {
        open();
        ledger.append("s", ANY, List.of(event(0), event(1)));

        appended(ledger.append("s", 1, event(2)));
        AppendResult stale = ledger.append("s", 1, event(3));

        assertEquals(2, assertInstanceOf(AppendResult.WrongExpectedVersion.class, stale).actualVersion());
        assertEquals(3, ledger.head());
        assertEquals(2, ledger.streamVersion("s"));
    }

    @Test
    void shouldAnswerARetryWithTheOriginalPositionAndWriteNothing() {
        open();
        EventData event = event(1);
        ledger.append("a", ANY, event(0));
        AppendResult.Appended first = appended(ledger.append("s", NO_STREAM, event));

        AppendResult.Appended retry = appended(ledger.append("s", NO_STREAM, event));

        assertTrue(retry.duplicate());
        assertFalse(first.duplicate());
        assertEquals(first.firstGlobalSeq(), retry.firstGlobalSeq());
        assertEquals(first.firstStreamVersion(), retry.firstStreamVersion());
        assertEquals(2, ledger.head());
    }

    @Test
    void shouldRecogniseARetryAfterAReopen() {
        open();
        List<EventData> batch = List.of(event(1), event(2), event(3));
        AppendResult.Appended first = appended(ledger.append("s", NO_STREAM, batch));
        reopen();

        AppendResult.Appended retry = appended(ledger.append("s", NO_STREAM, batch));

        assertTrue(retry.duplicate());
        assertEquals(first.firstGlobalSeq(), retry.firstGlobalSeq());
        assertEquals(3, retry.count());
        assertEquals(3, ledger.head());
    }

    @Test
    void shouldRefuseAnEventIdReusedForOtherContent() {
        open();
        EventData original = event(1);
        ledger.append("s", ANY, original);

        AppendResult otherPayload = ledger.append("s", ANY, json("{\"n\":2}").withEventId(original.eventId()));
        AppendResult otherStream = ledger.append("t", ANY, original);
        AppendResult inABatch = ledger.append("s", ANY, List.of(event(5), original));

        assertInstanceOf(AppendResult.EventIdConflict.class, otherPayload);
        assertInstanceOf(AppendResult.EventIdConflict.class, otherStream);
        assertEquals(0, assertInstanceOf(AppendResult.EventIdConflict.class, inABatch).existingGlobalSeq());
        assertEquals(1, ledger.head());

        EventData first = event(6);
        EventData second = event(7);
        ledger.append("s", ANY, List.of(first, second));
        AppendResult secondChanged = ledger.append("s", ANY, List.of(first, json("{\"n\":8}").withEventId(second.eventId())));
        assertEquals(2, assertInstanceOf(AppendResult.EventIdConflict.class, secondChanged).existingGlobalSeq(),
            "the original of the event that differs, not of the first");
    }

    @Test
    void shouldFillOneReusedReceiptWithEveryOutcome() {
        open();
        AppendReceipt receipt = new AppendReceipt();
        EventData original = event(1);

        assertSame(receipt, ledger.append("s", NO_STREAM, original, receipt));
        assertEquals(new AppendResult.Appended("s", 0, 0, 1, false), receipt.result());

        ledger.append("s", 0, List.of(event(2), event(3)), receipt);
        assertTrue(receipt.appended());
        assertFalse(receipt.duplicate());
        assertEquals(1, receipt.firstGlobalSeq());
        assertEquals(2, receipt.lastGlobalSeq());
        assertEquals(2, receipt.lastStreamVersion());
        assertEquals(2, receipt.count());

        ledger.append("s", NO_STREAM, original, receipt);
        assertTrue(receipt.duplicate());
        assertEquals(new AppendResult.Appended("s", 0, 0, 1, true), receipt.result());

        ledger.append("s", 0, event(4), receipt);
        assertFalse(receipt.appended());
        assertEquals(new AppendResult.WrongExpectedVersion("s", 0, 2), receipt.result());
        assertThrows(IllegalStateException.class, receipt::firstGlobalSeq);

        ledger.append("t", ANY, original, receipt);
        assertEquals(0, assertInstanceOf(AppendResult.EventIdConflict.class, receipt.result()).existingGlobalSeq());

        ledger.append("t", ANY, event(5), receipt);
        assertEquals(new AppendResult.Appended("t", 3, 0, 1, false), receipt.result());
        assertEquals(4, ledger.head());
    }

    @Test
    void shouldRefuseAMissingReceiptAndWriteNothing() {
        open();

        NullPointerException e = assertThrows(NullPointerException.class,
            () -> ledger.append("s", ANY, event(1), (AppendReceipt) null));

        assertEquals("receipt", e.getMessage());
        assertEquals(0, ledger.head());
        assertThrows(IllegalStateException.class, () -> new AppendReceipt().appended());
        assertEquals(List.of(), ledger.read(0, 1));
    }
}
