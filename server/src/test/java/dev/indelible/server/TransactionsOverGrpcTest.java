package dev.indelible.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.InvalidEventException;
import dev.indelible.ledger.Transaction;
import dev.indelible.ledger.TransactionResult;
import dev.indelible.projections.reference.DomainEvents;
import dev.indelible.projections.proto.AccountRegistered;
import dev.indelible.server.api.AppendRequest;
import dev.indelible.server.api.Condition;
import dev.indelible.server.api.ContentType;
import dev.indelible.server.api.Expect;
import dev.indelible.server.api.Failure;
import dev.indelible.server.api.LedgerServiceGrpc;
import dev.indelible.server.api.NewEvent;
import dev.indelible.server.api.TransactionCommitted;
import dev.indelible.server.api.TransactionRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * gRPC {@code AppendTransaction} and {@link IndelibleClient#append(Transaction)}: the same answers
 * as HTTP's {@code POST /transactions}, a refusal's {@link Failure} in the status details, and the
 * Java client's results equal to the embedded ledger's.
 */
class TransactionsOverGrpcTest {
    @TempDir
    Path dir;
    private ServerFixture f;
    private String bot;
    private ManagedChannel channel;
    private LedgerServiceGrpc.LedgerServiceBlockingStub stub;

    @BeforeEach
    void start() {
        f = new ServerFixture(dir);
        bot = f.token("bot", "*", Verb.APPEND, Verb.READ);
        channel = GrpcChannels.open(f.server.grpcPort());
        stub = GrpcChannels.ledger(channel, bot).withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws InterruptedException {
        channel.shutdownNow();
        assertTrue(channel.awaitTermination(10, TimeUnit.SECONDS), "channel closed");
        f.close();
    }

    @Test
    void shouldCommitAndAnswerARetryWithTheSamePositions() {
        TransactionRequest request = TransactionRequest.newBuilder()
            .addParts(part("orders-1", Expect.NO_STREAM, order("0b6c5f4e-1b1f-4c8e-9a55-3c7f1d2e9a01", 1)))
            .addParts(part("stock-9", Expect.NO_STREAM, order("0b6c5f4e-1b1f-4c8e-9a55-3c7f1d2e9a02", 2),
                order("0b6c5f4e-1b1f-4c8e-9a55-3c7f1d2e9a03", 3)))
            .addConditions(Condition.newBuilder().setStream("closed-1").setExpect(Expect.NO_STREAM))
            .build();

        TransactionCommitted first = stub.appendTransaction(request);
        TransactionCommitted retry = stub.appendTransaction(request);

        assertEquals(2, first.getPartsCount(), first.toString());
        assertEquals(0, first.getFirstGlobalSeq());
        assertEquals(2, first.getLastGlobalSeq());
        assertEquals(1, first.getParts(1).getFirstGlobalSeq());
        assertEquals(2, first.getParts(1).getCount());
        assertTrue(retry.getDuplicate(), retry.toString());
        assertEquals(first.toBuilder().setDuplicate(true).clearParts().build(), retry.toBuilder().clearParts().build());
        assertEquals(3, f.ledger.head(), "the retry wrote nothing");
    }

    @Test
    void shouldNameTheRefusedPartOrConditionAndTheBadFieldAndWriteNothing() {
        f.ledger.append("stock-9", ExpectedVersion.ANY, EventData.json("order.placed", "{}".getBytes(StandardCharsets.UTF_8)));

        StatusRuntimeException part = refused(TransactionRequest.newBuilder()
            .addParts(part("orders-1", Expect.NO_STREAM, order("", 1)))
            .addParts(part("stock-9", Expect.NO_STREAM, order("", 2))).build());
        StatusRuntimeException condition = refused(TransactionRequest.newBuilder()
            .addParts(part("orders-1", Expect.ANY, order("", 1)))
            .addConditions(Condition.newBuilder().setStream("customer-1").setExpect(Expect.STREAM_EXISTS)).build());
        StatusRuntimeException bad = refused(TransactionRequest.newBuilder()
            .addParts(part("orders-1", Expect.ANY, order("", 1)))
            .addParts(part("orders-2", Expect.ANY, order("", 2).toBuilder().setType("").build())).build());

        assertEquals(Status.Code.FAILED_PRECONDITION, part.getStatus().getCode());
        assertEquals("parts[1].expected_version: parts[1]: stream stock-9 must not exist; it is at version 0"
            + " [wrong_expected_version]", part.getStatus().getDescription());
        Failure partFailure = failure(part);
        assertEquals(1, partFailure.getPart(), partFailure.toString());
        assertEquals(0, partFailure.getActualVersion(), partFailure.toString());
        assertEquals(Failure.TransactionItemCase.PART, partFailure.getTransactionItemCase());
        Failure conditionFailure = failure(condition);
        assertEquals(Failure.TransactionItemCase.CONDITION, conditionFailure.getTransactionItemCase());
        assertEquals("conditions[0].expected_version", conditionFailure.getField());
        assertEquals(ExpectedVersion.NO_STREAM, conditionFailure.getActualVersion());
        assertEquals(Status.Code.INVALID_ARGUMENT, bad.getStatus().getCode());
        assertTrue(bad.getStatus().getDescription().startsWith("parts[1].events[0].type: "), bad.getStatus().getDescription());
        assertEquals(1, f.ledger.head(), "nothing written by the refusals");
    }

    @Test
    void shouldAnswerTheJavaClientAsTheEmbeddedLedgerAnswers() {
        try (IndelibleClient client = IndelibleClient.connect("127.0.0.1", f.server.grpcPort(), bot)) {
            Transaction register = Transaction.builder()
                .append("email-alice@example.com", ExpectedVersion.NO_STREAM, registered("acct-1"))
                .append("signups-1", ExpectedVersion.ANY, EventData.json("signup.logged", "{}".getBytes(StandardCharsets.UTF_8)))
                .require("closed-acct-1", ExpectedVersion.NO_STREAM)
                .build();
            TransactionResult.Committed committed = assertInstanceOf(TransactionResult.Committed.class, client.append(register));
            String alice = f.ledger.personalData().streamName("email-alice@example.com"); // stored as a keyed hash
            assertEquals(List.of(new AppendResult.Appended(alice, 0, 0, 1, false),
                new AppendResult.Appended("signups-1", 1, 0, 1, false)), committed.parts());
            assertEquals(new TransactionResult.Committed(List.of(new AppendResult.Appended(alice, 0, 0, 1, true),
                new AppendResult.Appended("signups-1", 1, 0, 1, true)), true), client.append(register));

            for (String wrong : List.of("email-bob@example.com", "acct-x")) {
                InvalidEventException misplaced = assertThrows(InvalidEventException.class, () -> client.append(
                    Transaction.builder().append(wrong, ExpectedVersion.ANY, registered("acct-2")).build()));
                assertEquals("parts[0].stream", misplaced.field(), misplaced.getMessage());
                assertTrue(misplaced.reason().contains("rule account.registered"), misplaced.getMessage());
            }
            Transaction second = Transaction.builder()
                .append("signups-2", ExpectedVersion.ANY, EventData.json("signup.logged", "{}".getBytes(StandardCharsets.UTF_8)))
                .append("email-alice@example.com", ExpectedVersion.ANY, registered("acct-3"))
                .build();
            TransactionResult rule = client.append(second);
            // The client names the reservation as stored, as the embedded ledger does.
            TransactionResult.PartRefused refused = new TransactionResult.PartRefused(1, new AppendResult.RuleViolated(alice, 0,
                "account.registered", "email", alice, ExpectedVersion.NO_STREAM, 0, "an address has one account"));
            assertEquals(refused, rule);
            assertEquals(refused, f.ledger.append(second), "the embedded ledger names it as stored");
            Transaction closed = Transaction.builder().append("signups-3", ExpectedVersion.ANY,
                EventData.json("signup.logged", "{}".getBytes(StandardCharsets.UTF_8))).require("signups-1", ExpectedVersion.NO_STREAM).build();
            assertEquals(new TransactionResult.ConditionFailed(0, "signups-1", ExpectedVersion.NO_STREAM, 0), client.append(closed));
            assertEquals(f.ledger.append(closed), client.append(closed));
            assertEquals(2, f.ledger.head(), "the first transaction, nothing else");
        }
    }

    private StatusRuntimeException refused(TransactionRequest request) {
        return assertThrows(StatusRuntimeException.class, () -> stub.appendTransaction(request));
    }

    private static Failure failure(StatusRuntimeException e) {
        try {
            return StatusProto.fromThrowable(e).getDetails(0).unpack(Failure.class);
        } catch (InvalidProtocolBufferException invalid) {
            throw new AssertionError(invalid);
        }
    }

    private static AppendRequest part(String stream, Expect expect, NewEvent... events) {
        return AppendRequest.newBuilder().setStream(stream).setExpect(expect).addAllEvents(List.of(events)).build();
    }

    private static NewEvent order(String eventId, int n) {
        return NewEvent.newBuilder().setEventId(eventId).setType("order.placed").setContentType(ContentType.JSON)
            .setPayload(ByteString.copyFromUtf8("{\"n\":" + n + "}")).build();
    }

    private static EventData registered(String accountId) {
        return DomainEvents.event(DomainEvents.ACCOUNT_REGISTERED, AccountRegistered.newBuilder().setAccountId(accountId)
            .setEmail("alice@example.com").setDisplayName("Alice").build());
    }
}
