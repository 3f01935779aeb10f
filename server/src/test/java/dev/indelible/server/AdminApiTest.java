package dev.indelible.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.indelible.ledger.InvalidEventException;
import dev.indelible.projections.proto.AccountRegistered;
import dev.indelible.server.api.EraseRequest;
import dev.indelible.server.api.EraseResponse;
import dev.indelible.server.api.Event;
import dev.indelible.server.api.ReadRequest;
import dev.indelible.server.api.SubscribeRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin routes of the HTTP API (and gRPC's Erase): what the console does, for a script with an admin token; the same checks and audit. */
class AdminApiTest {
    @TempDir
    Path dir;
    private ServerFixture f;
    private String admin;

    @BeforeEach
    void start() {
        f = new ServerFixture(dir);
        admin = f.token("ops", "*", Verb.ADMIN);
        String bot = f.token("bot", "selfies-*", Verb.APPEND);
        for (int user = 1; user <= 5; user++) {
            assertEquals(200, f.http.post("/streams/selfies-user-" + user, bot, Http.selfie(user, "f" + user)).status());
        }
    }

    @AfterEach
    void stop() {
        f.close();
    }

    @Test
    void shouldVerifyRebuildAndRollBackWithAnAdminTokenEachAuditedNamingIt() {
        Http.Response verify = f.http.post("/admin/verify", admin, "");
        assertEquals(200, verify.status(), verify.body());
        List<Map.Entry<String, JsonNode>> events = ConsoleClient.serverSentEvents(verify.body());
        assertEquals("result", events.get(events.size() - 1).getKey(), verify.body());
        assertTrue(events.get(events.size() - 1).getValue().get("ok").asBoolean());

        Http.Response nothingToRollBackTo = f.http.post("/admin/projections/selfies/rollback", admin, "");
        assertEquals(409, nothingToRollBackTo.status(), nothingToRollBackTo.body());
        assertTrue(nothingToRollBackTo.body().contains("no previous version"), nothingToRollBackTo.body());

        Http.Response rebuild = f.http.post("/admin/projections/selfies/rebuild", admin, "");
        events = ConsoleClient.serverSentEvents(rebuild.body());
        JsonNode rebuilt = events.get(events.size() - 1).getValue();
        assertEquals(rebuilt.get("previous_digest"), rebuilt.get("new_digest"), "the same journal, the same digest");
        assertEquals(200, f.http.post("/admin/projections/selfies/rollback", admin, "").status());
        JsonNode versions = f.http.get("/admin/projections/selfies", admin).json();
        assertEquals(rebuilt.get("previous_version").asText(), versions.get("live").asText());

        JsonNode audit = f.http.get("/admin/audit?by=ops", admin).json();
        assertEquals(List.of("ops.rollback", "ops.replay", "ops.verify"), audit.get("events").findValues("type").stream()
            .map(JsonNode::asText).toList(), "newest first; the refused rollback wrote nothing");
        audit.get("events").forEach(e -> assertEquals("http", e.get("data").get("figures").get("via").asText()));
    }

    @Test
    void shouldEraseADataSubjectSoItsFieldsReadErasedEverywhere() {
        String accounts = f.token("accounts", "email-*", Verb.APPEND);
        String reader = f.token("reader", "*", Verb.READ, Verb.QUERY);
        for (String[] a : new String[][] {{"acc-1", "ann@example.com", "Ann"}, {"acc-2", "ben@example.com", "Ben"}}) {
            assertEquals(200, f.http.post("/streams/email-" + a[1], accounts, "{\"type\":\"account.registered\",\"data\":"
                + "{\"account_id\":\"" + a[0] + "\",\"email\":\"" + a[1] + "\",\"display_name\":\"" + a[2] + "\"}}").status());
        }
        assertTrue(f.engine.awaitPosition("accounts", f.ledger.head() - 1, java.time.Duration.ofSeconds(30)));
        assertTrue(f.http.get("/events?from=5", reader).body().contains("\"email\":\"ben@example.com\""));

        Http.Response erased = f.http.post("/admin/erase?subject=account-acc-2", admin, "");
        assertEquals(200, erased.status(), erased.body());
        assertEquals("{\"subject\":\"account-acc-2\",\"erased\":true,\"already_erased\":false}", erased.body());
        String events = f.http.get("/events?from=5", reader).body();
        assertTrue(events.contains("\"email\":\"ann@example.com\"") && events.contains("\"email\":\"[erased]\"")
            && !events.contains("ben@example.com") && !events.contains("\"Ben\""), events);
        String ben = f.http.get("/projections/accounts?email=ben@example.com", reader).body();
        assertTrue(ben.contains("\"email\":\"[erased]\",\"display_name\":\"[erased]\""), ben);
        assertEquals("{\"subject\":\"account-acc-2\",\"erased\":true,\"already_erased\":true}",
            f.http.post("/admin/erase?subject=account-acc-2", admin, "").body());
        assertEquals(400, f.http.post("/admin/erase", admin, "").status());
        assertEquals(404, f.http.post("/admin/erase?subject=account-nobody", admin, "").status());
        assertEquals(403, f.http.post("/admin/erase?subject=account-acc-1", reader, "").status());
        JsonNode audit = f.http.get("/admin/audit?by=ops", admin).json();
        assertEquals(List.of("ops.erase"), audit.get("events").findValues("type").stream().map(JsonNode::asText).toList());
    }

    /** gRPC's Erase is POST /admin/erase's operation; its Read and Subscribe open sealed fields as /events does. */
    @Test
    void shouldEraseOverGrpcSoItsReadsShowTheFieldsErased() throws Exception {
        String accounts = f.token("accounts", "email-*", Verb.APPEND);
        String reader = f.token("reader", "*", Verb.READ);
        for (String[] a : new String[][] {{"acc-1", "ann@example.com", "Ann"}, {"acc-2", "ben@example.com", "Ben"}}) {
            assertEquals(200, f.http.post("/streams/email-" + a[1], accounts, "{\"type\":\"account.registered\",\"data\":"
                + "{\"account_id\":\"" + a[0] + "\",\"email\":\"" + a[1] + "\",\"display_name\":\"" + a[2] + "\"}}").status());
        }
        ManagedChannel channel = GrpcChannels.open(f.server.grpcPort());
        try {
            var admins = GrpcChannels.ledger(channel, admin);
            var readers = GrpcChannels.ledger(channel, reader);
            assertEquals(List.of("ann@example.com:Ann", "ben@example.com:Ben"), registrations(readers.read(FROM_5)));

            EraseResponse erased = admins.erase(EraseRequest.newBuilder().setSubject("account-acc-2").build());

            assertEquals("account-acc-2", erased.getSubject());
            assertFalse(erased.getAlreadyErased());
            assertEquals(List.of("ann@example.com:Ann", "[erased]:[erased]"), registrations(readers.read(FROM_5)));
            Iterator<Event> followed = readers.withDeadlineAfter(30, TimeUnit.SECONDS)
                .subscribe(SubscribeRequest.newBuilder().setFromGlobalSeq(5).setStreamPrefix("email-").build());
            assertEquals(List.of("ann@example.com:Ann", "[erased]:[erased]"), registrations(List.of(followed.next(), followed.next())
                .iterator()));
            assertTrue(admins.erase(EraseRequest.newBuilder().setSubject("account-acc-2").build()).getAlreadyErased());
            StatusRuntimeException denied = assertThrows(StatusRuntimeException.class,
                () -> readers.erase(EraseRequest.newBuilder().setSubject("account-acc-1").build()));
            assertEquals(Status.Code.PERMISSION_DENIED, denied.getStatus().getCode());
            StatusRuntimeException empty = assertThrows(StatusRuntimeException.class,
                () -> admins.erase(EraseRequest.getDefaultInstance()));
            assertEquals(Status.Code.INVALID_ARGUMENT, empty.getStatus().getCode());
            assertTrue(empty.getStatus().getDescription().startsWith("subject"), empty.getStatus().getDescription());
            assertEquals(Status.Code.NOT_FOUND, assertThrows(StatusRuntimeException.class,
                () -> admins.erase(EraseRequest.newBuilder().setSubject("account-nobody").build())).getStatus().getCode());
        } finally {
            channel.shutdownNow();
        }
        JsonNode audit = f.http.get("/admin/audit?by=ops", admin).json();
        assertEquals("grpc", audit.get("events").get(0).get("data").get("figures").get("via").asText());
        assertTrue(f.ledger.personalData().isErased("account-acc-2") && !f.ledger.personalData().isErased("account-acc-1"));

        // The Java client's erase, as a cluster node forwarding one sends it: who asked it there is recorded.
        try (IndelibleClient client = IndelibleClient.connect("127.0.0.1", f.server.grpcPort(), admin)) {
            InvalidEventException forged = assertThrows(InvalidEventException.class,
                () -> client.erase("account-acc-1", Map.of("by_whom", "x")));
            assertEquals("forwarded_for", forged.field());
            assertFalse(f.ledger.personalData().isErased("account-acc-1"), "nothing done for a refused erasure");
            assertTrue(client.erase("account-acc-1", Map.of("by_token", "someone", "via", "http")));
            assertFalse(client.erase("account-acc-1"), "erased before");
        }
        JsonNode figures = f.http.get("/admin/audit?by=ops", admin).json().get("events").findValues("figures").stream()
            .filter(fig -> fig.get("subject").asText().equals("account-acc-1")).findFirst().orElseThrow();
        assertEquals(List.of("ops", "grpc", "someone", "http"), List.of(figures.get("by_token").asText(),
            figures.get("via").asText(), figures.get("forwarded_by_token").asText(), figures.get("forwarded_via").asText()));
    }

    private static final ReadRequest FROM_5 = ReadRequest.newBuilder().setFromGlobalSeq(5).setLimit(2).build();

    /** Each registration's email and display name as a reader gets them. */
    private static List<String> registrations(Iterator<Event> events) throws Exception {
        List<String> seen = new ArrayList<>();
        while (events.hasNext()) {
            AccountRegistered a = AccountRegistered.parseFrom(events.next().getPayload());
            seen.add(a.getEmail() + ":" + a.getDisplayName());
        }
        return seen;
    }

    @Test
    void shouldRefuseEveryAdminRouteWithoutAnAdminTokenAndDoNothing() {
        String reader = f.token("reader", "*", Verb.READ, Verb.QUERY, Verb.STATUS);
        String live = f.engine.status("selfies").liveVersion();
        for (String path : List.of("/admin/verify", "/admin/projections/selfies/rebuild", "/admin/projections/selfies/rollback")) {
            assertEquals(403, f.http.post(path, reader, "").status(), path);
            assertEquals(401, f.http.post(path, null, "").status(), path);
        }
        assertEquals(403, f.http.get("/admin/audit", reader).status());
        assertEquals(403, f.http.get("/admin/projections/selfies", reader).status());
        assertEquals(live, f.engine.status("selfies").liveVersion());
        assertEquals(0, f.http.get("/admin/audit", admin).json().get("events").size(), "nothing ran, nothing audited");
        assertEquals(404, f.http.post("/admin/projections/nothing/rebuild", admin, "").status());
        assertEquals(404, f.http.post("/admin/scrub", admin, "").status());
        assertEquals(400, f.http.post("/admin/verify?now=1", admin, "").status(), "an unknown parameter is refused");
    }
}
