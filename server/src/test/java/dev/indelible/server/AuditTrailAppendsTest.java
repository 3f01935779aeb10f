package dev.indelible.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.indelible.ledger.EventData;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.InvalidEventException;
import dev.indelible.ledger.PersonalData;
import dev.indelible.ledger.proto.OperationRecorded;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ops-* streams are the ledger's audit trail: an {@code ops.erase} there destroys a subject's
 * key at the next open, so a producer's token, even one for every stream, may not append to them,
 * on any API; an admin token may, and the ledger still takes only audit records there.
 */
class AuditTrailAppendsTest {
    private static final String ERASE = "{\"type\":\"ops.erase\",\"data\":{\"subject\":\"account-1\"}}";

    @TempDir
    Path dir;
    private ServerFixture f;
    private String producer;

    @BeforeEach
    void start() {
        f = new ServerFixture(dir);
        producer = f.token("producer", "*", Verb.APPEND, Verb.READ);
    }

    @AfterEach
    void stop() {
        f.close();
    }

    @Test
    void shouldRefuseAProducersAppendToAnAuditStreamOnEveryApiAndWriteNothing() {
        long head = f.ledger.head();
        Http.Response one = f.http.post("/streams/" + PersonalData.ERASURE_STREAM, producer, ERASE);
        refused(one, "stream");
        refused(f.http.post("/transactions", producer, "{\"parts\":[{\"stream\":\"orders-1\",\"events\":[{\"type\":"
            + "\"order.placed\",\"data\":{}}]},{\"stream\":\"ops-token-evil\",\"events\":[" + ERASE + "]}]}"), "parts[1].stream");
        refused(f.http.post("/append", producer, "{\"stream\":\"ops-erasures\"," + ERASE.substring(1) + "\n"), "stream");
        try (IndelibleClient grpc = IndelibleClient.connect("127.0.0.1", f.server.grpcPort(), producer)) {
            IndelibleClient.RequestFailedException denied = assertThrows(IndelibleClient.RequestFailedException.class,
                () -> grpc.append(PersonalData.ERASURE_STREAM, ExpectedVersion.ANY, EventData.protobuf("ops.erase",
                    OperationRecorded.newBuilder().putFigures("subject", "account-1").build().toByteArray())));
            assertEquals("PERMISSION_DENIED", denied.code());
            assertTrue(denied.getMessage().contains("audit trail"), denied.getMessage());
        }
        assertEquals(head, f.ledger.head(), "nothing written");
    }

    @Test
    void shouldLetAnAdminTokenThroughToTheLedgersOwnCheckOfAuditRecords() {
        String admin = f.token("ops", "*", Verb.APPEND, Verb.ADMIN);
        long head = f.ledger.head();
        Http.Response json = f.http.post("/streams/ops-notes", admin, "{\"type\":\"ops.note\",\"data\":{}}");
        assertEquals(400, json.status(), json.body());
        assertEquals("events[0].content_type", json.json().get("field").asText(), json.body());
        try (IndelibleClient grpc = IndelibleClient.connect("127.0.0.1", f.server.grpcPort(), admin)) {
            InvalidEventException notARecord = assertThrows(InvalidEventException.class, () -> grpc.append("ops-notes",
                ExpectedVersion.ANY, EventData.protobuf("ops.note", new byte[] {(byte) 0xff, 1})));
            assertEquals("events[0].payload", notARecord.field(), notARecord.getMessage());
            grpc.append("ops-notes", ExpectedVersion.ANY, EventData.protobuf("ops.note",
                OperationRecorded.newBuilder().setOperation("note").build().toByteArray()));
        }
        assertEquals(head + 1, f.ledger.head(), "only the audit record");
    }

    private static void refused(Http.Response answer, String field) {
        assertEquals(403, answer.status(), answer.body());
        assertEquals("permission_denied", answer.json().get("error").asText());
        assertEquals(field, answer.json().get("field").asText());
        assertTrue(answer.json().get("message").asText().contains("the ledger's audit trail, appended to only with the admin"),
            answer.body());
    }
}
