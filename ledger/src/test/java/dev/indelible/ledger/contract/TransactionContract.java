package dev.indelible.ledger.contract;

import static dev.indelible.ledger.ExpectedVersion.ANY;
import static dev.indelible.ledger.ExpectedVersion.NO_STREAM;
import static dev.indelible.ledger.ExpectedVersion.STREAM_EXISTS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.EventReader;
import dev.indelible.ledger.EventRule.Requirement;
import dev.indelible.ledger.InvalidEventException;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.LedgerCopy;
import dev.indelible.ledger.RecordedEvent;
import dev.indelible.ledger.Transaction;
import dev.indelible.ledger.TransactionResult;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Atomic appends across streams: several parts, conditions on other streams, all or nothing,
 * consecutive positions, idempotent per event id, rules checked as if the parts were appended in
 * order.
 */
public abstract class TransactionContract extends LedgerContract {

    @Override
    protected LedgerConfig config() {
        return super.config().toBuilder()
            .rule("guest.registered", e -> Requirement.stream("guest-" + guest(e), "guest")
                .expect(NO_STREAM, "a guest registers once"))
            .rule("seat.booked", e -> Requirement.stream("seat-" + guest(e), "guest")
                .require("guest-" + guest(e), "guest", STREAM_EXISTS, "the guest is registered"))
            .build();
    }

    @Test
    void shouldCommitEveryPartAtConsecutivePositionsAndKeepThemAcrossAReopen() {
        open();
        ledger.append("a", ANY, event(0));
        Transaction tx = Transaction.builder()
            .append("a", 0, event(1), event(2))
            .append("b", NO_STREAM, event(3))
            .append("c", NO_STREAM, event(4), event(5), event(6))
            .require("d", NO_STREAM)
            .build();

        TransactionResult.Committed c = assertInstanceOf(TransactionResult.Committed.class, ledger.append(tx));

        assertFalse(c.duplicate());
        assertEquals(List.of(new AppendResult.Appended("a", 1, 1, 2, false), new AppendResult.Appended("b", 3, 0, 1, false),
            new AppendResult.Appended("c", 4, 0, 3, false)), c.parts());
        ledger.append("b", ANY, event(7));
        reopen();
        assertEquals(8, ledger.head());
        assertEquals(List.of(0, 1, 2), numbers(ledger.readStream("a", 0, 10)));
        assertEquals(List.of(3, 7), numbers(ledger.readStream("b", 0, 10)));
        assertEquals(List.of(5, 6), numbers(ledger.readStream("c", 1, 10)));
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7), numbers(ledger.read(0, 100)));
        assertEquals(2, ledger.streamVersion("c"));
        assertTrue(ledger.verify().ok(), ledger.verify().toString());
        ledger.append("c", 2, event(8));
        assertEquals(List.of(4, 5, 6, 8), numbers(ledger.readStream("c", 0, 10)));
    }

    @Test
    void shouldRefuseTheWholeTransactionNamingThePartWhoseVersionIsWrong() {
        open();
        ledger.append("a", ANY, event(0));

        TransactionResult refused = ledger.append(Transaction.builder()
            .append("b", NO_STREAM, event(1))
            .append("a", NO_STREAM, event(2))
            .build());

        assertEquals(new TransactionResult.PartRefused(1, new AppendResult.WrongExpectedVersion("a", NO_STREAM, 0)), refused);
        assertEquals("parts[1]: stream a must not exist; it is at version 0", refused.message());
        assertEquals(1, ledger.head());
        assertEquals(NO_STREAM, ledger.streamVersion("b"));
    }

    @Test
    void shouldRefuseTheWholeTransactionNamingTheConditionThatFailed() {
        open();
        ledger.append("closed-7", ANY, event(0));

        TransactionResult refused = ledger.append(Transaction.builder()
            .append("a", ANY, event(1))
            .require("account-7", NO_STREAM)
            .require("closed-7", NO_STREAM)
            .build());

        assertEquals(new TransactionResult.ConditionFailed(1, "closed-7", NO_STREAM, 0), refused);
        assertEquals("conditions[1]: stream closed-7 must not exist; it is at version 0", refused.message());
        assertEquals(1, ledger.head());
    }

    @Test
    void shouldAnswerARetryWithTheOriginalPositionsAndWriteNothing() {
        open();
        Transaction tx = Transaction.builder().append("a", NO_STREAM, event(1)).append("b", NO_STREAM, event(2)).build();
        TransactionResult.Committed first = assertInstanceOf(TransactionResult.Committed.class, ledger.append(tx));
        ledger.append("a", ANY, event(3));

        TransactionResult.Committed retry = assertInstanceOf(TransactionResult.Committed.class, ledger.append(tx));
        TransactionResult.Committed asyncRetry = assertInstanceOf(TransactionResult.Committed.class,
            ledger.appendAsync(tx).join());

        assertTrue(retry.duplicate());
        assertEquals(first.firstGlobalSeq(), retry.firstGlobalSeq());
        assertEquals(first.parts().get(1).firstStreamVersion(), retry.parts().get(1).firstStreamVersion());
        assertTrue(asyncRetry.duplicate());
        assertEquals(3, ledger.head());
    }

    @Test
    void shouldRefuseIdsReusedWithOtherContentAsAConflictOfTheirPart() {
        open();
        EventData one = event(1);
        EventData two = event(2);
        ledger.append(Transaction.builder().append("a", ANY, one).append("b", ANY, two).build());

        TransactionResult otherPayload = ledger.append(Transaction.builder()
            .append("a", ANY, one).append("b", ANY, event(9).withEventId(two.eventId())).build());
        TransactionResult reusedInSecondPart = ledger.append(Transaction.builder()
            .append("x", ANY, event(3)).append("y", ANY, two).build());
        AppendResult singleOfATransaction = ledger.append("a", ANY, one);

        TransactionResult.PartRefused changed = assertInstanceOf(TransactionResult.PartRefused.class, otherPayload);
        assertEquals(1, changed.part());
        AppendResult.EventIdConflict original = assertInstanceOf(AppendResult.EventIdConflict.class, changed.refusal());
        assertEquals(1, original.existingGlobalSeq(), "the original of the event that differs, not of the first");
        assertTrue(original.reason().contains("(global_seq 1, stream 'b')"), original.reason());
        TransactionResult.PartRefused second = assertInstanceOf(TransactionResult.PartRefused.class, reusedInSecondPart);
        assertEquals(1, second.part());
        assertEquals(1, assertInstanceOf(AppendResult.EventIdConflict.class, second.refusal()).existingGlobalSeq());
        assertInstanceOf(AppendResult.EventIdConflict.class, singleOfATransaction);
        assertEquals(2, ledger.head());
    }

    @Test
    void shouldRefuseBadInputNamingTheFieldAndWriteNothing() {
        open();

        InvalidEventException badType = assertThrows(InvalidEventException.class, () -> ledger.append(Transaction.builder()
            .append("a", ANY, event(1))
            .append("b", ANY, event(2), new EventData(event(3).eventId(), "", event(3).contentType(), event(3).payload(), null))
            .build()));
        InvalidEventException twice = assertThrows(InvalidEventException.class, () -> ledger.append(Transaction.builder()
            .append("a", ANY, event(1)).require("a", NO_STREAM).build()));
        EventData same = event(4);
        InvalidEventException sameId = assertThrows(InvalidEventException.class, () -> ledger.append(Transaction.builder()
            .append("a", ANY, same).append("b", ANY, same).build()));
        InvalidEventException empty = assertThrows(InvalidEventException.class,
            () -> ledger.append(Transaction.builder().append("a", ANY, List.of()).build()));
        InvalidEventException none = assertThrows(InvalidEventException.class,
            () -> ledger.append(Transaction.builder().build()));

        assertEquals("parts[1].events[1].type", badType.field());
        assertEquals("conditions[0].stream", twice.field());
        assertEquals("repeats the stream of parts[0] (a): a transaction names each stream once", twice.reason());
        assertEquals("parts[1].events[0].event_id", sameId.field());
        assertEquals("parts[0].events", empty.field());
        assertEquals("parts", none.field());
        assertThrows(InvalidEventException.class, () -> ledger.appendAsync(Transaction.builder().build()));
        assertEquals(0, ledger.head());
    }

    @Test
    void shouldCheckRulesAsIfThePartsWereAppendedInOrder() {
        open();
        Transaction registerThenBook = Transaction.builder()
            .append("guest-ann", ANY, guestEvent("guest.registered", "ann"))
            .append("seat-ann", ANY, guestEvent("seat.booked", "ann"))
            .build();
        Transaction bookThenRegister = Transaction.builder()
            .append("seat-bo", ANY, guestEvent("seat.booked", "bo"))
            .append("guest-bo", ANY, guestEvent("guest.registered", "bo"))
            .build();

        assertInstanceOf(TransactionResult.Committed.class, ledger.append(registerThenBook));
        TransactionResult.PartRefused refused = assertInstanceOf(TransactionResult.PartRefused.class,
            ledger.append(bookThenRegister));
        InvalidEventException misplaced = assertThrows(InvalidEventException.class, () -> ledger.append(Transaction.builder()
            .append("x", ANY, event(1)).append("guest-cy", ANY, guestEvent("guest.registered", "dee")).build()));

        assertEquals(0, refused.part());
        AppendResult.RuleViolated v = assertInstanceOf(AppendResult.RuleViolated.class, refused.refusal());
        assertEquals("guest-bo", v.checkedStream());
        assertEquals("parts[1].stream", misplaced.field());
        assertEquals(2, ledger.head());
    }

    @Test
    void shouldCopyATransactionAsOneRecordSoItStaysWhole() {
        open();
        ledger.append("a", ANY, event(0));
        ledger.append(Transaction.builder().append("a", ANY, event(1)).append("b", ANY, event(2), event(3)).build());
        ledger.append("b", ANY, event(4));
        try (Ledger target = openLedger(dir.resolve("copy"), config())) {
            LedgerCopy.Copied copied = LedgerCopy.copy(ledger, ledger.head(), target);

            assertEquals(LedgerCopy.digest(ledger, 5), copied.digest());
            assertEquals(List.of(1L, 4L, 4L, 4L, 5L), appendEnds(target));
            assertEquals(List.of(2, 3, 4), numbers(target.readStream("b", 0, 10)));
            assertTrue(target.verify().ok(), target.verify().toString());
        }
    }

    private static List<Long> appendEnds(Ledger ledger) {
        List<Long> ends = new ArrayList<>();
        try (EventReader reader = ledger.openReader(0)) {
            while (reader.poll(e -> ends.add(reader.appendEnd()), 100) > 0) {
                // every event's append end, in order
            }
        }
        return ends;
    }

    private static List<Integer> numbers(List<RecordedEvent> events) {
        return events.stream().map(e -> Integer.parseInt(new String(e.payload(), StandardCharsets.UTF_8)
            .replaceAll("[^0-9]", ""))).toList();
    }

    private static EventData guestEvent(String type, String guest) {
        return EventData.json(type, ("{\"guest\":\"" + guest + "\"}").getBytes(StandardCharsets.UTF_8));
    }

    private static String guest(EventData e) {
        String json = new String(e.payload(), StandardCharsets.UTF_8);
        return json.replaceAll(".*\"guest\":\"([^\"]*)\".*", "$1");
    }
}
