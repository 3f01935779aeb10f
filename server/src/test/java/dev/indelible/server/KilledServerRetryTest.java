package dev.indelible.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.RecordedEvent;
import dev.indelible.ledger.testing.ChildJvm;
import dev.indelible.projections.reference.DomainEvents;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client's request in flight when the server is killed with kill -9, retried with the same
 * event_id once a new server runs: every event is stored exactly once. Even rounds kill the server
 * while the append is stored and its answer held back (a server acknowledging 3 s late); odd
 * rounds kill it at a random moment just after the request was sent.
 */
@Tag("system")
class KilledServerRetryTest {
    private static final int ROUNDS = 8;

    @TempDir
    Path dir;

    @Test
    void shouldStoreAnEventRetriedAcrossAKilledServerExactlyOnce() throws Exception {
        String token;
        try (Ledger ledger = Ledger.open(dir, DomainEvents.register(LedgerConfig.builder()).build())) {
            token = Tokens.open(dir).create("bot", List.of("selfies-*"), EnumSet.of(Verb.APPEND)).secret();
        }
        long seed = Long.getLong("indelible.seed", System.nanoTime());
        Random random = new Random(seed);
        HttpClient client = HttpClient.newHttpClient();
        Set<String> ids = new HashSet<>();
        int answeredBeforeKill = 0;
        int appendedBeforeKill = 0;
        for (int round = 0; round < ROUNDS; round++) {
            String id = UUID.randomUUID().toString();
            ids.add(id);
            String body = Http.selfie(7, "f" + round).replace("{\"type\"", "{\"event_id\":\"" + id + "\",\"type\"");
            boolean heldAnswer = round % 2 == 0;
            try (ChildJvm server = heldAnswer ? start("3000") : start()) {
                int port = port(server);
                CompletableFuture<HttpResponse<String>> inFlight = client.sendAsync(request(port, token, body),
                    HttpResponse.BodyHandlers.ofString());
                if (heldAnswer) {
                    server.awaitLines(2, 60); // "written": stored, its answer held back for 3 s
                } else {
                    Thread.sleep(random.nextInt(15)); // a random moment, not a wait for something
                }
                server.kill9();
                try {
                    answeredBeforeKill += inFlight.join().statusCode() == 200 ? 1 : 0;
                } catch (RuntimeException lost) {
                    // the answer was lost with the server: the client cannot know whether it was appended
                }
            }
            try (ChildJvm server = start()) {
                Http.Response retry = new Http(port(server)).post("/streams/selfies-user-7", token, body);
                assertEquals(200, retry.status(), retry.body());
                boolean duplicate = retry.json().get("duplicate").asBoolean();
                appendedBeforeKill += duplicate ? 1 : 0;
                if (heldAnswer) {
                    assertTrue(duplicate, "round " + round + ": the event was stored before the kill, the retry finds it");
                }
                server.kill9();
            }
        }
        try (Ledger ledger = Ledger.open(dir, DomainEvents.register(LedgerConfig.builder()).build())) {
            List<RecordedEvent> events = ledger.readStream("selfies-user-7", 0, 100);
            assertEquals(ROUNDS, events.size(), "each retried event once (seed " + seed + ")");
            Set<String> stored = new HashSet<>();
            events.forEach(e -> stored.add(e.eventId().toString()));
            assertEquals(ids, stored);
            assertTrue(ledger.verify().ok(), "journal verifies after " + 2 * ROUNDS + " kill -9s");
        }
        System.out.printf("kill -9 retry: %d rounds, %d appended before the kill (%d of them answered), seed %d%n",
            ROUNDS, appendedBeforeKill, answeredBeforeKill, seed);
    }

    private ChildJvm start(String... ackDelay) throws Exception {
        String[] args = new String[1 + ackDelay.length];
        args[0] = dir.toString();
        System.arraycopy(ackDelay, 0, args, 1, ackDelay.length);
        return ChildJvm.start(ServerMain.class, dir.resolve("server-stderr.txt"), args);
    }

    private static int port(ChildJvm server) throws Exception {
        server.awaitLines(1, 60);
        return Integer.parseInt(server.lines().get(0).split(" ")[1]);
    }

    private static HttpRequest request(int port, String token, String body) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/streams/selfies-user-7"))
            .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }
}
