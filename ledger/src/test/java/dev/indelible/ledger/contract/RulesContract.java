package dev.indelible.ledger.contract;

import static dev.indelible.ledger.ExpectedVersion.ANY;
import static dev.indelible.ledger.ExpectedVersion.NO_STREAM;
import static dev.indelible.ledger.ExpectedVersion.STREAM_EXISTS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.indelible.ledger.AppendReceipt;
import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.EventRule.Requirement;
import dev.indelible.ledger.InvalidEventException;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.RuleAudit;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Rules per event type: the stream an event may go to, the version it needs there and the streams
 * that must (not) exist, enforced by the ledger for every append. A user's own types, registered
 * through the same API the reference domains use.
 */
public abstract class RulesContract extends LedgerContract {
    private static final JsonFactory JSON = new JsonFactory();

    @Override
    protected LedgerConfig config() {
        return super.config().toBuilder()
            .rule("guest.registered", e -> Requirement.stream("guest-" + field(e, "guest"), "guest")
                .expect(NO_STREAM, "a guest registers once"))
            .rule("guest.banned", e -> Requirement.stream("banned-" + field(e, "guest"), "guest"))
            .rule("seat.booked", e -> Requirement.stream("seat-" + field(e, "seat"), "seat")
                .expect(NO_STREAM, "a seat has one booking")
                .require("guest-" + field(e, "guest"), "guest", STREAM_EXISTS, "the guest is registered")
                .require("banned-" + field(e, "guest"), "guest", NO_STREAM, "a banned guest books nothing"))
            .build();
    }

    @Test
    void shouldRefuseAnEventSentToAnotherStreamThanItsRuleNamesAndWriteNothing() {
        open();

        InvalidEventException e = assertThrows(InvalidEventException.class,
            () -> ledger.append("guest-bob", ANY, guest("registered", "alice")));

        assertEquals("stream", e.field());
        assertEquals("rule guest.registered: belongs to stream guest-alice (named by guest), not guest-bob", e.reason());
        assertEquals(0, ledger.head());
        assertThrows(InvalidEventException.class,
            () -> ledger.appendAsync("x", ANY, List.of(guest("registered", "alice"))).join());
        assertEquals(0, ledger.head());
    }

    @Test
    void shouldEnforceTheRulesVersionWhateverTheCallerExpects() {
        open();
        appended(ledger.append("guest-alice", ANY, guest("registered", "alice")));

        AppendResult again = ledger.append("guest-alice", ANY, guest("registered", "alice"));

        AppendResult.RuleViolated v = assertInstanceOf(AppendResult.RuleViolated.class, again);
        assertEquals("guest-alice", v.stream());
        assertEquals("guest.registered", v.rule());
        assertEquals("guest", v.field());
        assertEquals("guest-alice", v.checkedStream());
        assertEquals(NO_STREAM, v.requiredVersion());
        assertEquals(0, v.actualVersion());
        assertEquals("rule guest.registered (a guest registers once): stream guest-alice, named by guest, must not exist;"
            + " it is at version 0", v.message());
        assertEquals(1, ledger.head());
    }

    @Test
    void shouldCheckTheCallersExpectedVersionBeforeTheRule() {
        open();
        appended(ledger.append("guest-alice", ANY, guest("registered", "alice")));

        AppendResult wrong = ledger.append("guest-alice", NO_STREAM, guest("registered", "alice"));

        assertEquals(new AppendResult.WrongExpectedVersion("guest-alice", NO_STREAM, 0), wrong);
    }

    @Test
    void shouldRefuseABookingUntilItsGuestExistsAndAfterTheGuestIsBanned() {
        open();

        AppendResult.RuleViolated noGuest = assertInstanceOf(AppendResult.RuleViolated.class,
            ledger.append("seat-12a", ANY, booking("12a", "bob")));
        assertEquals("guest-bob", noGuest.checkedStream());
        assertEquals(STREAM_EXISTS, noGuest.requiredVersion());
        assertEquals(NO_STREAM, noGuest.actualVersion());
        assertEquals(0, ledger.head());

        appended(ledger.append("guest-bob", ANY, guest("registered", "bob")));
        appended(ledger.append("seat-12a", ANY, booking("12a", "bob")));
        appended(ledger.append("banned-bob", ANY, guest("banned", "bob")));

        AppendResult.RuleViolated banned = assertInstanceOf(AppendResult.RuleViolated.class,
            ledger.append("seat-14c", ANY, booking("14c", "bob")));
        assertEquals("banned-bob", banned.checkedStream());
        assertEquals(0, banned.actualVersion());
        assertEquals(3, ledger.head());
        assertEquals(NO_STREAM, ledger.streamVersion("seat-14c"));
    }

    @Test
    void shouldCheckEachEventOfABatchAtItsOwnPositionAndRefuseTheWholeBatch() {
        open();

        AppendResult batch = ledger.append("guest-carol", ANY,
            List.of(guest("registered", "carol"), guest("registered", "carol")));

        AppendResult.RuleViolated v = assertInstanceOf(AppendResult.RuleViolated.class, batch);
        assertEquals(1, v.event());
        assertEquals(0, v.actualVersion(), "the second event would find the first");
        assertEquals(0, ledger.head());
    }

    @Test
    void shouldAnswerARetryOfAnAcceptedAppendAsADuplicateBeforeCheckingRules() {
        open();
        EventData registration = guest("registered", "dave");
        AppendResult.Appended first = appended(ledger.append("guest-dave", ANY, registration));

        AppendResult.Appended retry = appended(ledger.append("guest-dave", ANY, registration));

        assertTrue(retry.duplicate());
        assertEquals(first.firstGlobalSeq(), retry.firstGlobalSeq());
        assertEquals(1, ledger.head());
    }

    @Test
    void shouldFillAReceiptWithTheViolationAndRefuseTheAsyncAppendAlike() {
        open();
        AppendReceipt receipt = new AppendReceipt();

        ledger.append("seat-1", ANY, booking("1", "erin"), receipt);
        assertFalse(receipt.appended());
        assertInstanceOf(AppendResult.RuleViolated.class, receipt.result());

        AppendResult async = ledger.appendAsync("seat-1", ANY, booking("1", "erin")).join();
        assertInstanceOf(AppendResult.RuleViolated.class, async);
        assertEquals(0, ledger.head());
    }

    @Test
    void shouldKeepRulesAcrossAReopenAndLetTypesWithoutARuleGoAnywhere() {
        open();
        appended(ledger.append("guest-frank", ANY, guest("registered", "frank")));
        appended(ledger.append("anything", ANY, event(1)));
        reopen();

        assertInstanceOf(AppendResult.RuleViolated.class, ledger.append("guest-frank", ANY, guest("registered", "frank")));
        appended(ledger.append("anything", ANY, event(2)));
        assertEquals(3, ledger.head());
    }

    @Test
    void shouldReportEveryEventThatBreaksARuleInAJournalWrittenWithout() {
        ledger = openLedger(dir, super.config());
        appended(ledger.append("guest-gina", ANY, guest("registered", "gina")));
        appended(ledger.append("guest-gina", ANY, guest("registered", "gina")));
        appended(ledger.append("guest-hal", ANY, guest("registered", "gina")));
        appended(ledger.append("seat-9", ANY, booking("9", "nobody")));
        appended(ledger.append("seat-10", ANY, booking("10", "gina")));
        ledger.close();
        ledger = null;
        open();

        RuleAudit.Report report = RuleAudit.run(ledger, ledger.config());

        assertEquals(5, report.eventsWithRules());
        List<String> found = report.violations().stream().map(Object::toString).toList();
        assertEquals(List.of(
            "global_seq 1 (guest.registered on guest-gina): a guest registers once: stream guest-gina, named by guest,"
                + " must not exist; it is at version 0 (its first event is global_seq 0)",
            "global_seq 2 (guest.registered on guest-hal): belongs to stream guest-gina (named by guest), not guest-hal",
            "global_seq 3 (seat.booked on seat-9): the guest is registered: stream guest-nobody, named by guest, must exist;"
                + " it does not exist"), found);
    }

    private static EventData guest(String what, String guest) {
        return EventData.json("guest." + what, ("{\"guest\":\"" + guest + "\"}").getBytes(StandardCharsets.UTF_8));
    }

    private static EventData booking(String seat, String guest) {
        return EventData.json("seat.booked",
            ("{\"seat\":\"" + seat + "\",\"guest\":\"" + guest + "\"}").getBytes(StandardCharsets.UTF_8));
    }

    /** A top-level string field of a JSON payload. */
    private static String field(EventData event, String name) {
        try (JsonParser parser = JSON.createParser(event.payload())) {
            parser.nextToken();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String key = parser.getCurrentName();
                parser.nextToken();
                if (key.equals(name)) {
                    return parser.getText();
                }
                parser.skipChildren();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new InvalidEventException(name, "is required");
    }
}
