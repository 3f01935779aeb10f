package dev.indelible.cli;

import static dev.indelible.ledger.testing.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.EventData;
import dev.indelible.ledger.EventId;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.InvalidEventException;
import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.Operations;
import dev.indelible.ledger.PersonalData;
import dev.indelible.ledger.RecordedEvent;
import dev.indelible.ledger.proto.OperationRecorded;
import dev.indelible.ledger.kafka.KafkaJournalConfig;
import dev.indelible.ledger.kafka.KafkaLedger;
import dev.indelible.ledger.kafka.WriterElection;
import dev.indelible.ledger.kafka.testing.KafkaCluster;
import dev.indelible.ledger.kafka.testing.SharedKafka;
import dev.indelible.projections.ProjectionEngine;
import dev.indelible.projections.proto.AccountRegistered;
import dev.indelible.projections.reference.ReferenceProjections;
import dev.indelible.projections.reference.DomainEvents;
import dev.indelible.server.IndelibleClient;
import dev.indelible.server.IndelibleServer;
import dev.indelible.server.ServerConfig;
import dev.indelible.server.Tokens;
import dev.indelible.server.Verb;
import dev.indelible.server.internal.TokenAudit;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two cluster nodes in this JVM on one broker: an append sent to the follower (over gRPC, and over
 * HTTP) is answered as if appended there, with the writer's positions, its refusals as values and
 * bad input as bad input; a retry of it through the writer is a duplicate; the follower reads it,
 * and its projections apply it. An erasure sent to the follower is done by the writer.
 */
@Tag("system")
class ClusterForwardingTest {
    private static final WriterElection.Settings SETTINGS = new WriterElection.Settings(Duration.ofSeconds(6),
        Duration.ofMillis(500), Duration.ofMillis(200));

    @TempDir
    Path tmp;

    @Test
    void shouldAnswerAnAppendSentToAFollowerAsTheWriterDid() throws Exception {
        KafkaCluster kafka = SharedKafka.cluster(); // with KafkaJournalCommandTest; each has topics of its own
        KafkaJournalConfig journal = KafkaJournalConfig.of(kafka.bootstrapServers(), "forward-" + System.nanoTime());
        Path a = dir("a");
        Path b = dir("b");
        LedgerConfig config = DomainEvents.register(LedgerConfig.builder()).build();
        String token; // created before the nodes start, as `indelible token create --data a --journal kafka://...` does
        try (Ledger setup = KafkaLedger.open(journal, tmp.resolve("setup"), config)) {
            token = TokenAudit.create(setup, Tokens.open(a), "cluster", List.of("*"),
                EnumSet.of(Verb.APPEND, Verb.READ, Verb.ADMIN), Map.of()).secret();
        }
        int portA = freePort();
        int portB = freePort();
        int grpcA = freePort();
        int grpcB = freePort();
        try (ClusterNode nodeA = ClusterNode.start(journal, a, config, SETTINGS, "127.0.0.1:" + grpcA, token, null);
             IndelibleServer serverA = IndelibleServer.start(nodeA.partition(0).ledger(), null, Tokens.open(a),
                 server(portA, grpcA))) {
            // A is elected alone before B joins: two members joining together are assigned in an order of
            // the coordinator's choosing (in one CI run A was not the writer within 60 s), and the sticky assignor keeps A.
            await(() -> nodeA.partition(0).writerOrNull() != null, Duration.ofSeconds(60));
            try (ClusterNode nodeB = ClusterNode.start(journal, b, config, SETTINGS, "127.0.0.1:" + grpcB, token, null);
                 ProjectionEngine projectionsB = ProjectionEngine.start(nodeB.partition(0).ledger(), b.resolve("projections"),
                     ReferenceProjections.all());
                 IndelibleServer serverB = IndelibleServer.start(nodeB.partition(0).ledger(), projectionsB, Tokens.open(b),
                     server(portB, grpcB))) {
                forwardThroughB(nodeB, b, serverA, serverB, projectionsB, portB, token);
                eraseThroughB(journal, serverA, serverB, portA, portB, token);
            }
        }
    }

    private static void forwardThroughB(ClusterNode nodeB, Path dirB, IndelibleServer serverA, IndelibleServer serverB,
                                        ProjectionEngine projectionsB, int portB, String token) throws Exception {
        {
            await(() -> {
                try {
                    nodeB.partition(0).target();
                    return true;
                } catch (RuntimeException noWriterYet) {
                    return false;
                }
            }, Duration.ofSeconds(30));
            // B's token file was never copied: B's server learns the token from its ops.token_create in the journal.
            await(() -> Tokens.open(dirB).authenticate(token).isPresent(), Duration.ofSeconds(30));
            try (IndelibleClient follower = IndelibleClient.connect("127.0.0.1", serverB.grpcPort(), token);
                 IndelibleClient writer = IndelibleClient.connect("127.0.0.1", serverA.grpcPort(), token)) {
                EventData event = EventData.json("custom.thing", "{}".getBytes(StandardCharsets.UTF_8));
                AppendResult first = follower.appendAsync("s-1", ExpectedVersion.NO_STREAM, List.of(event)).get();
                assertEquals(new AppendResult.Appended("s-1", 1, 0, 1, false), first, "after the token's ops.token_create");
                assertEquals(new AppendResult.Appended("s-1", 1, 0, 1, true),
                    writer.append("s-1", ExpectedVersion.NO_STREAM, List.of(event)), "the retry through the writer");
                assertInstanceOf(AppendResult.WrongExpectedVersion.class,
                    follower.append("s-1", ExpectedVersion.NO_STREAM, List.of(event.withEventId(
                        EventId.random()))));
                assertThrows(InvalidEventException.class, () -> follower.append("s-1", ExpectedVersion.ANY,
                    List.of(EventData.json("selfie.submitted", "{}".getBytes(StandardCharsets.UTF_8)))));
                HttpResponse<String> http = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + portB + "/streams/s-2"))
                        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"custom.thing\",\"data\":{}}")).build(),
                    HttpResponse.BodyHandlers.ofString());
                assertEquals(200, http.statusCode(), http.body());
                await(() -> follower.read(0, 10).size() == 3, Duration.ofSeconds(10));
                assertTrue(projectionsB.awaitPosition("selfies", 2, Duration.ofSeconds(30)),
                    "the follower's projections follow the appends it forwarded");
                // A follower's own operations (a rebuild, a quarantine) are recorded through the writer,
                // in the audit streams, which take the cluster token because it holds the admin verb.
                Operations.record(nodeB.partition(0).ledger(), "note", "cluster-test", "a follower's operation", Instant.now(),
                    "ok", Map.of());
                await(() -> nodeB.partition(0).ledger().streamVersion("ops-cluster-test") == 0, Duration.ofSeconds(10));
            }
        }
    }

    /**
     * An erasure sent to the follower, over HTTP and over gRPC, is done by the writer: the fields read as
     * erased through both nodes, the keys leave the keys topic, and the ops.erase names who asked the
     * follower. A retry answers "erased before"; a subject that is empty or has no key gets the writer's
     * own refusal, and nothing is written.
     */
    private static void eraseThroughB(KafkaJournalConfig journal, IndelibleServer serverA, IndelibleServer serverB,
                                      int portA, int portB, String token) throws Exception {
        try (IndelibleClient follower = IndelibleClient.connect("127.0.0.1", serverB.grpcPort(), token);
             IndelibleClient writer = IndelibleClient.connect("127.0.0.1", serverA.grpcPort(), token)) {
            for (String id : List.of("acc-1", "acc-2", "acc-3")) {
                assertInstanceOf(AppendResult.Appended.class, follower.append("email-" + id + "@example.com",
                    ExpectedVersion.NO_STREAM, DomainEvents.event(DomainEvents.ACCOUNT_REGISTERED, AccountRegistered.newBuilder()
                        .setAccountId(id).setEmail(id + "@example.com").setDisplayName("Name of " + id).build())));
            }
            HttpResponse<String> http = erase(portB, "account-acc-1", token);
            assertEquals(200, http.statusCode(), http.body());
            assertEquals("{\"subject\":\"account-acc-1\",\"erased\":true,\"already_erased\":false}", http.body());
            assertTrue(follower.erase("account-acc-2"), "erased by this call");
            assertFalse(follower.erase("account-acc-2"), "a retry: erased before, nothing done again");
            Map<String, String> shown = Map.of("acc-1", PersonalData.ERASED, "acc-2", PersonalData.ERASED,
                "acc-3", "acc-3@example.com");
            for (IndelibleClient node : List.of(follower, writer)) {
                await(() -> emails(node).equals(shown), Duration.ofSeconds(10));
            }
            KafkaLedger.KeysSummary keys = KafkaLedger.inspectKeys(journal);
            assertEquals(Set.of("account-acc-1", "account-acc-2"), keys.erased());
            assertEquals(1, keys.subjects(), "only acc-3's key is left in the keys topic");
            // The keys topic can show an erasure before the writer node's reader has fetched its ops.erase.
            await(() -> erasures(writer).size() == 2, Duration.ofSeconds(10), () -> erasures(writer).toString());
            List<RecordedEvent> erasures = erasures(writer);
            assertEquals(2, erasures.size(), "the retry appended nothing");
            Map<String, String> figures = OperationRecorded.parseFrom(erasures.get(0).payload()).getFiguresMap();
            assertEquals(List.of("cluster", "http", "account-acc-1"), List.of(figures.get("forwarded_by_token"),
                figures.get("forwarded_via"), figures.get("subject")), figures.toString());

            long head = writer.read(0, 1_000).size();
            for (String subject : List.of("", "account-nobody")) {
                HttpResponse<String> throughB = erase(portB, subject, token);
                HttpResponse<String> throughA = erase(portA, subject, token);
                assertEquals(List.of(throughA.statusCode(), throughA.body()), List.of(throughB.statusCode(), throughB.body()));
                assertEquals(subject.isEmpty() ? 400 : 404, throughB.statusCode(), throughB.body());
                assertTrue(throughB.body().contains("\"field\":\"subject\""), throughB.body());
            }
            InvalidEventException empty = assertThrows(InvalidEventException.class, () -> follower.erase(""));
            assertEquals(List.of("subject", empty.getMessage()), List.of(empty.field(),
                assertThrows(InvalidEventException.class, () -> writer.erase("")).getMessage()));
            IndelibleClient.RequestFailedException unknown = assertThrows(IndelibleClient.RequestFailedException.class,
                () -> follower.erase("account-nobody"));
            assertEquals(List.of("NOT_FOUND", "subject"), List.of(unknown.code(), unknown.field()), unknown.getMessage());
            assertEquals(head, writer.read(0, 1_000).size(), "nothing written for a refused erasure");
            assertEquals(keys, KafkaLedger.inspectKeys(journal));
        }
    }

    /** The node's {@code ops-erasures} events; none before its reader has fetched the first. */
    private static List<RecordedEvent> erasures(IndelibleClient node) {
        try {
            return node.readStream(PersonalData.ERASURE_STREAM, 0, 10);
        } catch (IndelibleClient.RequestFailedException e) {
            if ("NOT_FOUND".equals(e.code())) {
                return List.of();
            }
            throw e;
        }
    }

    private static HttpResponse<String> erase(int port, String subject, String token) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/admin/erase?subject=" + subject)).header("Authorization", "Bearer " + token)
            .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Each account's address as the node's reads show it. */
    private static Map<String, String> emails(IndelibleClient node) {
        Map<String, String> emails = new java.util.TreeMap<>();
        for (RecordedEvent e : node.read(0, 1_000)) {
            if (e.type().equals(DomainEvents.ACCOUNT_REGISTERED)) {
                try {
                    AccountRegistered a = AccountRegistered.parseFrom(e.payload());
                    emails.put(a.getAccountId(), a.getEmail());
                } catch (com.google.protobuf.InvalidProtocolBufferException bad) {
                    throw new AssertionError(bad);
                }
            }
        }
        return emails;
    }

    private static ServerConfig server(int port, int grpcPort) {
        return ServerConfig.defaults().withBind("127.0.0.1", port).withGrpcPort(grpcPort);
    }

    private Path dir(String name) throws IOException {
        return Files.createDirectories(tmp.resolve(name),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
