package dev.indelible.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.indelible.ledger.proto.OperationRecorded;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The audit trail: every operation is an ops event, and one whose event cannot be written fails. */
class OperationsTest {
    @TempDir
    Path dir;

    @Test
    void shouldAppendTheOperationAsAnOpsEventOfItsSubject() throws Exception {
        try (Ledger ledger = Ledger.open(dir, LedgerConfig.defaults())) {
            Operations.record(ledger, "import", "import-selfies", "import selfies f.json", Instant.EPOCH, "ok", Map.of("appended", "3"));

            RecordedEvent e = ledger.readStream("ops-import-selfies", 0, 1).get(0);
            assertEquals("ops.import", e.type());
            OperationRecorded op = OperationRecorded.parseFrom(e.payload());
            assertEquals("ok", op.getResult());
            assertEquals("3", op.getFiguresOrThrow("appended"));
        }
    }

    @Test
    void shouldListTheAuditStreamsByNameAsTheyAreCreatedAndAfterAReopen() {
        try (Ledger ledger = Ledger.open(dir, LedgerConfig.defaults())) {
            Operations.record(ledger, "token_create", "token-bot", "token bot created", Instant.EPOCH, "ok", Map.of());
            ledger.append("orders-1", ExpectedVersion.ANY, EventData.json("order.placed", "{}".getBytes(StandardCharsets.UTF_8)));
            Operations.record(ledger, "backup", "backup", "backup to /b", Instant.EPOCH, "ok", Map.of());
            Operations.record(ledger, "token_revoke", "token-bot", "token bot revoked", Instant.EPOCH, "ok", Map.of());
            assertEquals(List.of("ops-backup", "ops-token-bot"), ledger.auditStreams());
        }
        try (Ledger reopened = Ledger.open(dir, LedgerConfig.defaults())) {
            assertEquals(List.of("ops-backup", "ops-token-bot"), reopened.auditStreams(), "from the checkpoint's stream index");
            Operations.record(reopened, "import", "import-selfies", "import", Instant.EPOCH, "ok", Map.of());
            assertEquals(List.of("ops-backup", "ops-import-selfies", "ops-token-bot"), reopened.auditStreams());
        }
    }

    @Test
    void shouldFailTheOperationWhenItsAuditEventCannotBeWritten() {
        Ledger ledger = Ledger.open(dir, LedgerConfig.defaults());
        ledger.close();

        LedgerException failed = assertThrows(LedgerException.class, () -> Operations.record(ledger, "token_create",
            "token-bot", "token bot created", Instant.EPOCH, "ok", Map.of()));

        assertTrue(failed.getMessage().startsWith("the audit event of token_create of token-bot could not be written: "),
            failed.getMessage());
    }

    @Test
    void shouldRefuseAnythingButAnAuditRecordOnTheAuditStreamsAndWriteNothing() {
        byte[] json = "{\"subject\":\"customer-c1\"}".getBytes(StandardCharsets.UTF_8);
        try (Ledger ledger = Ledger.open(dir, LedgerConfig.defaults())) {
            InvalidEventException type = assertThrows(InvalidEventException.class, () -> ledger.append("ops-erasures",
                ExpectedVersion.ANY, EventData.json("order.placed", json)));
            assertEquals("events[0].type", type.field());
            assertTrue(type.reason().contains("ops-erasures, a stream of the ledger's audit trail"), type.reason());
            InvalidEventException asJson = assertThrows(InvalidEventException.class, () -> ledger.append("ops-erasures",
                ExpectedVersion.ANY, List.of(EventData.json("ops.erase", json))));
            assertEquals("events[0].content_type", asJson.field());
            InvalidEventException bytes = assertThrows(InvalidEventException.class, () -> ledger.append("ops-erasures",
                ExpectedVersion.ANY, EventData.protobuf("ops.erase", json)));
            assertEquals("events[0].payload", bytes.field());
            InvalidEventException part = assertThrows(InvalidEventException.class, () -> ledger.append(Transaction.builder()
                .append("orders-1", ExpectedVersion.ANY, EventData.json("order.placed", json))
                .append("ops-token-bot", ExpectedVersion.ANY, EventData.json("ops.token_create", json))
                .build()));
            assertEquals("parts[1].events[0].content_type", part.field(), part.getMessage());
            assertEquals(0, ledger.head(), "nothing written");

            Operations.record(ledger, "erase", "erasures", "erase", Instant.EPOCH, "ok", Map.of());
            assertEquals(1, ledger.head(), "the ledger's own records still go in");
        }
    }
}
