package dev.indelible.projections.reference;

import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.EventRule;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.InvalidEventException;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.projections.proto.SelfieSubmitted;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import static dev.indelible.ledger.ExpectedVersion.ANY;
import static dev.indelible.ledger.ExpectedVersion.NO_STREAM;
import static dev.indelible.ledger.ExpectedVersion.STREAM_EXISTS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The reference types' rules, as the ledger enforces them for a producer that is not a Java client. */
class DomainRulesTest {

    @TempDir
    Path data;

    private Ledger ledger;

    @BeforeEach
    void open() {
        ledger = Ledger.open(data, DomainEvents.register(LedgerConfig.builder()).build());
    }

    @AfterEach
    void close() {
        ledger.close();
    }

    @Test
    void shouldGiveEveryDomainTypeItsStreamVersionAndConditions() {
        Map<String, String> found = new TreeMap<>();
        for (String type : DomainEvents.types()) {
            EventRule.Requirement r = DomainRules.requirement(sample(type));
            found.put(type, r.stream() + " " + ExpectedVersion.describe(r.expectedVersion()) + " " + r.conditions().stream()
                    .map(c -> c.stream() + "=" + ExpectedVersion.describe(c.expectedVersion())).toList());
        }
        assertEquals(new TreeMap<>(Map.of(
                "account.closed", "account-a1 NO_STREAM []",
                "account.email_changed", "email-new@example.com NO_STREAM [account-a1=NO_STREAM]",
                "account.registered", "email-alice@example.com NO_STREAM []",
                "member.joined", "member-ann NO_STREAM [member-max=STREAM_EXISTS]",
                "message.posted", "messages-apollo ANY []",
                "prayer.marked", "prayer-p1 STREAM_EXISTS [member-ann=STREAM_EXISTS]",
                "prayer.submitted", "prayer-p1 NO_STREAM [member-ann=STREAM_EXISTS]",
                "selfie.submitted", "selfies-user-7 ANY []",
                "video.processed", "video-v1 ANY []",
                "video.removed", "video-v1 STREAM_EXISTS []")), found);
        assertTrue(LedgerConfig.defaults().ruleTypes().isEmpty(), "a bare config has no rules");
        assertEquals(DomainEvents.types(), DomainEvents.register(LedgerConfig.builder()).build().ruleTypes());
    }

    @Test
    void shouldRefuseEachDomainEventOnAnotherStreamNamingTheRule() {
        for (String type : DomainEvents.types()) {
            InvalidEventException e = assertThrows(InvalidEventException.class,
                    () -> ledger.append("elsewhere", ANY, sample(type)), type);
            assertEquals("stream", e.field());
            assertEquals("rule " + type + ": belongs to stream " + DomainRules.requirement(sample(type)).stream()
                    + " (named by " + DomainRules.requirement(sample(type)).field() + "), not elsewhere", e.reason());
        }
        assertEquals(0, ledger.head());
    }

    @Test
    void shouldRefuseASelfieOfNoUser() {
        EventData selfie = DomainEvents.event(DomainEvents.SELFIE_SUBMITTED, SelfieSubmitted.newBuilder().setUserId(0)
                .setMediaType("photo").setFileId("f").setSubmittedAt(com.google.protobuf.Timestamp.newBuilder().setSeconds(1)).build());
        InvalidEventException e = assertThrows(InvalidEventException.class, () -> ledger.append("selfies-user-0", ANY, selfie));
        assertEquals("user_id", e.field());
    }

    @Test
    void shouldRefuseReferencesToMembersAndPrayersThatDoNotExist() {
        AppendResult.RuleViolated inviter = violated("member-ann", sample("member.joined"));
        assertEquals("invited_by", inviter.field());
        assertEquals("member-max", inviter.checkedStream());
        violated("prayer-p1", sample("prayer.submitted"));
        assertEquals(new AppendResult.WrongExpectedVersion("prayer-p1", STREAM_EXISTS, NO_STREAM),
                ledger.append("prayer-p1", STREAM_EXISTS, sample("prayer.marked")));
        assertInstanceOf(AppendResult.RuleViolated.class, ledger.append("prayer-p1", ANY, sample("prayer.marked")));

        appended("member-max", json("member.joined", "{\"username\": \"max\"}"));
        appended("member-ann", sample("member.joined"));
        appended("prayer-p1", sample("prayer.submitted"));
        appended("prayer-p1", sample("prayer.marked"));
        assertEquals(4, ledger.head());
    }

    @Test
    void shouldCloseAnAccountOnceAndNeverChangeAClosedAccountsAddress() {
        appended("email-alice@example.com", sample("account.registered"));
        appended("account-a1", sample("account.closed"));

        assertInstanceOf(AppendResult.RuleViolated.class, ledger.append("account-a1", ANY, sample("account.closed")));
        AppendResult.RuleViolated change = violated("email-new@example.com", sample("account.email_changed"));
        assertEquals("account_id", change.field());
        assertEquals("rule account.email_changed (a closed account keeps its address): stream account-a1, named by"
                + " account_id, must not exist; it is at version 0", change.message());
        AppendResult.RuleViolated again = violated("email-alice@example.com", json("account.registered",
                "{\"account_id\": \"a2\", \"email\": \"alice@example.com\"}"));
        assertEquals(ledger.personalData().streamName("email-alice@example.com"), again.checkedStream(),
                "the reservation is checked under its keyed hash");
        assertTrue(again.checkedStream().matches("email-[0-9a-f]{64}"), again.checkedStream());
        assertEquals(2, ledger.head());
    }

    @Test
    void shouldRemoveOnlyAVideoThatWasProcessed() {
        violated("video-v1", sample("video.removed"));
        appended("video-v1", sample("video.processed"));
        appended("video-v1", sample("video.removed"));
        assertEquals(2, ledger.head());
    }

    private AppendResult.RuleViolated violated(String stream, EventData event) {
        return assertInstanceOf(AppendResult.RuleViolated.class, ledger.append(stream, ANY, event));
    }

    private void appended(String stream, EventData event) {
        assertInstanceOf(AppendResult.Appended.class, ledger.append(stream, ANY, event));
    }

    private static EventData json(String type, String json) {
        return DomainEvents.fromJson(type, json);
    }

    /** One valid event of each type: account a1, member ann invited by max, prayer p1, video v1. */
    private static EventData sample(String type) {
        return json(type, switch (type) {
            case "selfie.submitted" -> "{\"user_id\": 7, \"media_type\": \"photo\", \"file_id\": \"f\","
                    + " \"submitted_at\": \"2026-11-25T01:02:03Z\"}";
            case "account.registered" -> "{\"account_id\": \"a1\", \"email\": \"alice@example.com\"}";
            case "account.email_changed" -> "{\"account_id\": \"a1\", \"email\": \"new@example.com\"}";
            case "account.closed" -> "{\"account_id\": \"a1\"}";
            case "member.joined" -> "{\"username\": \"ann\", \"invited_by\": \"max\"}";
            case "prayer.submitted" -> "{\"prayer_id\": \"p1\", \"author\": \"ann\", \"text\": \"for rain\"}";
            case "prayer.marked" -> "{\"prayer_id\": \"p1\", \"username\": \"ann\"}";
            case "video.processed" -> "{\"video_id\": \"v1\", \"title\": \"t\"}";
            case "video.removed" -> "{\"video_id\": \"v1\"}";
            case "message.posted" -> "{\"message_id\": \"m1\", \"project\": \"apollo\", \"channel\": \"c\", \"user\": \"u\","
                    + " \"posted_at\": \"2026-11-25T01:02:03Z\"}";
            default -> throw new IllegalArgumentException(type);
        });
    }
}
