package dev.indelible.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.InvalidEventException;
import dev.indelible.projections.proto.AccountRegistered;
import dev.indelible.projections.proto.MemberJoined;
import dev.indelible.projections.proto.PrayerSubmitted;
import dev.indelible.projections.reference.DomainEvents;
import dev.indelible.server.api.AppendBatchRequest;
import dev.indelible.server.api.AppendBatchResponse;
import dev.indelible.server.api.AppendOutcome;
import dev.indelible.server.api.AppendRequest;
import dev.indelible.server.api.Appended;
import dev.indelible.server.api.ContentType;
import dev.indelible.server.api.Failure;
import dev.indelible.server.api.LedgerServiceGrpc;
import dev.indelible.server.api.NewEvent;
import dev.indelible.server.api.ReadRequest;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The domain rules ({@code DomainRules}) hold for producers over the network as they do in
 * process: an event sent to another stream than its rule names is bad input (HTTP 400 /
 * INVALID_ARGUMENT on {@code stream}), a version or reference the rule requires and the journal
 * does not meet is {@code rule_violated} (HTTP 409 / FAILED_PRECONDITION), and neither writes anything.
 */
class DomainRulesOverNetworkTest {
    private static final String ALICE = "alice@example.com";
    private static final String ALICE_STREAM = "email-alice@example.com";
    private static final String WRONG_STREAM_MESSAGE = "rule account.registered: belongs to stream " + ALICE_STREAM
        + " (named by email), not ";

    /** The reservation as the ledger stores it: a keyed hash of the address. */
    private String stored() {
        return f.ledger.personalData().streamName(ALICE_STREAM);
    }

    private String secondAliceMessage() {
        return "rule account.registered (an address has one account): stream " + stored()
            + ", named by email, must not exist; it is at version 0";
    }

    @TempDir
    Path dir;
    private ServerFixture f;
    private String bot;

    @BeforeEach
    void start() {
        f = new ServerFixture(dir);
        bot = f.token("bot", "*", Verb.APPEND, Verb.READ);
    }

    @AfterEach
    void stop() {
        f.close();
    }

    @Test
    void shouldNameTheEventOfABatchThatBreaksARuleAndWriteNoneOfIt() {
        Http.Response refused = f.http.post("/streams/" + ALICE_STREAM, bot,
            "[" + registeredJson("acct-1", ALICE) + "," + registeredJson("acct-2", ALICE) + "]");

        assertEquals(409, refused.status(), refused.body());
        JsonNode body = refused.json();
        assertEquals("rule_violated", body.get("error").asText(), refused.body());
        assertEquals("events[1].data.email", body.get("field").asText(), refused.body());
        assertEquals(1, body.get("event_index").asInt(), refused.body());
        assertEquals(0, f.ledger.head(), "the whole batch is refused");
    }

    @Test
    void shouldAcceptAnAccountOnlyOnItsAddressStreamAndOnlyOnceOverHttp() {
        Http.Response accepted = f.http.post("/streams/" + ALICE_STREAM, bot, registeredJson("acct-1", ALICE));
        assertEquals(200, accepted.status(), accepted.body());
        assertEquals(0, accepted.json().get("first_global_seq").asLong());

        for (String wrong : List.of("email-bob@example.com", "acct-x")) {
            Http.Response refused = f.http.post("/streams/" + wrong, bot, registeredJson("acct-2", ALICE));
            assertEquals(400, refused.status(), refused.body());
            JsonNode body = refused.json();
            assertEquals("invalid_argument", body.get("error").asText(), refused.body());
            assertEquals("stream", body.get("field").asText(), refused.body());
            assertEquals(WRONG_STREAM_MESSAGE + wrong, body.get("message").asText(), refused.body());
        }
        assertEquals(1, f.ledger.head(), "nothing appended for the wrong streams");

        Http.Response second = f.http.post("/streams/" + ALICE_STREAM, bot, registeredJson("acct-3", ALICE));
        assertEquals(409, second.status(), second.body());
        JsonNode body = second.json();
        assertEquals("rule_violated", body.get("error").asText(), second.body());
        assertEquals("data.email", body.get("field").asText(), second.body());
        assertEquals(secondAliceMessage(), body.get("message").asText(), second.body());
        assertEquals(stored(), body.get("stream").asText(), second.body());
        assertEquals("account.registered", body.get("rule").asText(), second.body());
        assertEquals(stored(), body.get("checked_stream").asText(), second.body());
        assertEquals(ExpectedVersion.NO_STREAM, body.get("required_version").asLong(), second.body());
        assertEquals(0, body.get("actual_version").asLong(), second.body());
        assertEquals("an address has one account", body.get("why").asText(), second.body());

        assertEquals(1, f.ledger.head(), "nothing appended for the second registration");
        JsonNode events = f.http.get("/events?from=0", bot).json().get("events");
        assertEquals(1, events.size(), events.toString());
        assertEquals("acct-1", events.get(0).findValue("account_id").asText(), events.toString());
        assertEquals(1, f.http.get("/streams/" + ALICE_STREAM, bot).json().get("events").size());
    }

    @Test
    void shouldAnswerTheSameOverGrpcAppendAndAppendBatch() throws Exception {
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", f.server.grpcPort()).usePlaintext().build();
        try {
            Metadata headers = new Metadata();
            headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + bot);
            LedgerServiceGrpc.LedgerServiceBlockingStub stub = LedgerServiceGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                .withDeadlineAfter(60, TimeUnit.SECONDS);

            Appended first = stub.append(request(ALICE_STREAM, DomainEvents.ACCOUNT_REGISTERED, registered("acct-1", ALICE)));
            assertEquals(0, first.getFirstGlobalSeq());

            for (String wrong : List.of("email-bob@example.com", "acct-x")) {
                StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                    () -> stub.append(request(wrong, DomainEvents.ACCOUNT_REGISTERED, registered("acct-2", ALICE))));
                assertEquals(Status.Code.INVALID_ARGUMENT, refused.getStatus().getCode(), refused.toString());
                String description = refused.getStatus().getDescription();
                assertTrue(description.startsWith("stream: " + WRONG_STREAM_MESSAGE + wrong), description);
            }
            StatusRuntimeException second = assertThrows(StatusRuntimeException.class,
                () -> stub.append(request(ALICE_STREAM, DomainEvents.ACCOUNT_REGISTERED, registered("acct-3", ALICE))));
            assertEquals(Status.Code.FAILED_PRECONDITION, second.getStatus().getCode(), second.toString());
            String description = second.getStatus().getDescription();
            assertTrue(description.startsWith("data.email: " + secondAliceMessage()), description);
            assertTrue(description.contains("rule_violated"), description);
            assertEquals(1, f.ledger.head(), "nothing appended by the refused Appends");

            AppendBatchResponse batch = stub.appendBatch(AppendBatchRequest.newBuilder()
                .addAppends(request("email-bob@example.com", DomainEvents.ACCOUNT_REGISTERED, registered("acct-2", ALICE)))
                .addAppends(request("acct-x", DomainEvents.ACCOUNT_REGISTERED, registered("acct-2", ALICE)))
                .addAppends(request(ALICE_STREAM, DomainEvents.ACCOUNT_REGISTERED, registered("acct-3", ALICE)))
                .build());
            assertEquals(3, batch.getOutcomesCount(), batch.toString());
            for (int i = 0; i < 2; i++) {
                AppendOutcome outcome = batch.getOutcomes(i);
                assertTrue(outcome.hasFailure(), outcome.toString());
                assertEquals("INVALID_ARGUMENT", outcome.getFailure().getCode(), outcome.toString());
                assertEquals("invalid_argument", outcome.getFailure().getError(), outcome.toString());
                assertEquals("stream", outcome.getFailure().getField(), outcome.toString());
                assertTrue(outcome.getFailure().getMessage().startsWith(WRONG_STREAM_MESSAGE), outcome.toString());
            }
            Failure rule = batch.getOutcomes(2).getFailure();
            assertEquals("FAILED_PRECONDITION", rule.getCode(), rule.toString());
            assertEquals("rule_violated", rule.getError(), rule.toString());
            assertEquals("data.email", rule.getField(), rule.toString());
            assertEquals(secondAliceMessage(), rule.getMessage(), rule.toString());
            assertEquals("account.registered", rule.getRule(), rule.toString());
            assertEquals(stored(), rule.getCheckedStream(), rule.toString());
            assertEquals(ExpectedVersion.NO_STREAM, rule.getRequiredVersion(), rule.toString());
            assertEquals(0, rule.getActualVersion(), rule.toString());
            assertEquals("an address has one account", rule.getWhy(), rule.toString());

            assertEquals(1, f.ledger.head(), "nothing appended by the refused batch");
            List<Long> read = new ArrayList<>();
            stub.read(ReadRequest.newBuilder().setFromGlobalSeq(0).setLimit(100).build())
                .forEachRemaining(e -> read.add(e.getGlobalSeq()));
            assertEquals(List.of(0L), read);
        } finally {
            channel.shutdownNow();
            assertTrue(channel.awaitTermination(10, TimeUnit.SECONDS), "channel closed");
        }
    }

    @Test
    void shouldRequireThatAPrayersAuthorAndAnInviterAreMembersOverHttp() {
        String prayer = "{\"type\":\"prayer.submitted\",\"data\":{\"prayer_id\":\"p1\",\"author\":\"carol\",\"text\":\"for rain\"}}";
        Http.Response orphan = f.http.post("/streams/prayer-p1", bot, prayer);
        assertEquals(409, orphan.status(), orphan.body());
        JsonNode body = orphan.json();
        assertEquals("rule_violated", body.get("error").asText(), orphan.body());
        assertEquals("data.author", body.get("field").asText(), orphan.body());
        assertEquals("prayer-p1", body.get("stream").asText(), orphan.body());
        assertEquals("prayer.submitted", body.get("rule").asText(), orphan.body());
        assertEquals("member-carol", body.get("checked_stream").asText(), orphan.body());
        assertEquals(ExpectedVersion.STREAM_EXISTS, body.get("required_version").asLong(), orphan.body());
        assertEquals(ExpectedVersion.NO_STREAM, body.get("actual_version").asLong(), orphan.body());
        assertTrue(body.get("message").asText().contains("member-carol"), orphan.body());
        assertEquals(0, f.ledger.head(), "nothing appended for the orphan prayer");

        Http.Response joined = f.http.post("/streams/member-carol", bot,
            "{\"type\":\"member.joined\",\"data\":{\"username\":\"carol\"}}");
        assertEquals(200, joined.status(), joined.body());
        Http.Response accepted = f.http.post("/streams/prayer-p1", bot, prayer);
        assertEquals(200, accepted.status(), accepted.body());
        assertEquals(1, accepted.json().get("first_global_seq").asLong(), accepted.body());

        Http.Response ghost = f.http.post("/streams/member-dave", bot,
            "{\"type\":\"member.joined\",\"data\":{\"username\":\"dave\",\"invited_by\":\"ghost\"}}");
        assertEquals(409, ghost.status(), ghost.body());
        assertEquals("rule_violated", ghost.json().get("error").asText(), ghost.body());
        assertEquals("data.invited_by", ghost.json().get("field").asText(), ghost.body());
        assertEquals("member.joined", ghost.json().get("rule").asText(), ghost.body());
        assertEquals("member-ghost", ghost.json().get("checked_stream").asText(), ghost.body());
        assertEquals(ExpectedVersion.NO_STREAM, ghost.json().get("actual_version").asLong(), ghost.body());

        assertEquals(2, f.ledger.head(), "the member and the prayer, nothing else");
        JsonNode events = f.http.get("/events?from=0", bot).json().get("events");
        assertEquals(2, events.size(), events.toString());
        assertEquals(List.of("member.joined", "prayer.submitted"),
            events.findValues("type").stream().map(JsonNode::asText).toList(), events.toString());
    }

    @Test
    void shouldReturnRuleViolatedFromTheJavaClientAsTheEmbeddedLedgerDoes() {
        try (IndelibleClient client = IndelibleClient.connect("127.0.0.1", f.server.grpcPort(), bot)) {
            assertInstanceOf(AppendResult.Appended.class, client.append(ALICE_STREAM, ExpectedVersion.ANY,
                event(DomainEvents.ACCOUNT_REGISTERED, registered("acct-1", ALICE))));

            InvalidEventException wrong = assertThrows(InvalidEventException.class, () -> client.append("acct-x",
                ExpectedVersion.ANY, event(DomainEvents.ACCOUNT_REGISTERED, registered("acct-2", ALICE))));
            assertEquals("stream", wrong.field(), wrong.getMessage());
            assertEquals(WRONG_STREAM_MESSAGE + "acct-x", wrong.reason(), wrong.getMessage());

            AppendResult.RuleViolated second = assertInstanceOf(AppendResult.RuleViolated.class, client.append(ALICE_STREAM,
                ExpectedVersion.ANY, event(DomainEvents.ACCOUNT_REGISTERED, registered("acct-3", ALICE))));
            // Both name the reservation as stored (a keyed hash): the address is what the caller sent, never echoed.
            AppendResult.RuleViolated embedded = new AppendResult.RuleViolated(stored(), 0, "account.registered", "email",
                stored(), ExpectedVersion.NO_STREAM, 0, "an address has one account");
            assertEquals(embedded, second);
            assertEquals(secondAliceMessage(), second.message());
            assertEquals(embedded, f.ledger.append(ALICE_STREAM, ExpectedVersion.ANY,
                event(DomainEvents.ACCOUNT_REGISTERED, registered("acct-4", ALICE))), "as the embedded ledger answers");

            AppendResult.RuleViolated orphan = assertInstanceOf(AppendResult.RuleViolated.class, client.append("prayer-p1",
                ExpectedVersion.ANY, event(DomainEvents.PRAYER_SUBMITTED,
                    PrayerSubmitted.newBuilder().setPrayerId("p1").setAuthor("carol").setText("for rain").build())));
            assertEquals(new AppendResult.RuleViolated("prayer-p1", 0, "prayer.submitted", "author", "member-carol",
                ExpectedVersion.STREAM_EXISTS, ExpectedVersion.NO_STREAM, "the author is a member"), orphan);

            AppendResult.RuleViolated ghost = assertInstanceOf(AppendResult.RuleViolated.class, client.append("member-dave",
                ExpectedVersion.ANY, event(DomainEvents.MEMBER_JOINED,
                    MemberJoined.newBuilder().setUsername("dave").setInvitedBy("ghost").build())));
            assertEquals("invited_by", ghost.field(), ghost.toString());
            assertEquals("member-ghost", ghost.checkedStream(), ghost.toString());

            assertEquals(1, f.ledger.head(), "only the first registration");
            assertEquals(1, client.read(0, 100).size());
        }
    }

    private static String registeredJson(String accountId, String email) {
        return "{\"type\":\"account.registered\",\"data\":{\"account_id\":\"" + accountId + "\",\"email\":\"" + email
            + "\",\"display_name\":\"Alice\"}}";
    }

    private static AccountRegistered registered(String accountId, String email) {
        return AccountRegistered.newBuilder().setAccountId(accountId).setEmail(email).setDisplayName("Alice").build();
    }

    private static EventData event(String type, Message message) {
        return DomainEvents.event(type, message);
    }

    private static AppendRequest request(String stream, String type, Message message) {
        return AppendRequest.newBuilder().setStream(stream)
            .addEvents(NewEvent.newBuilder().setType(type).setContentType(ContentType.PROTOBUF)
                .setPayload(ByteString.copyFrom(message.toByteArray())))
            .build();
    }
}
