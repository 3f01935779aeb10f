package dev.indelible.cli;

import static dev.indelible.ledger.testing.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.indelible.ledger.Ledger;
import dev.indelible.ledger.LedgerConfig;
import dev.indelible.ledger.RecordedEvent;
import dev.indelible.ledger.testing.ChildJvm;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("system")
class ServeAndTokenCommandTest {
    @TempDir
    Path data;

    @Test
    void shouldCreateListAndRevokeTokensShowingTheSecretOnlyOnce() throws IOException {
        Cli cli = new Cli(data);
        Cli.Result created = cli.run("token", "create", "--data", data.toString(), "--name", "selfie-bot",
            "--streams", "selfies-*", "--verbs", "append,read").expect(0);
        String secret = created.out().strip();
        assertTrue(secret.matches("idl_[0-9a-f]{16}_[A-Za-z0-9_-]{43}"), secret);
        assertTrue(created.err().contains("shown only now"), created.err());
        String list = cli.run("token", "list", "--data", data.toString()).expect(0).out();
        assertTrue(list.contains("selfie-bot") && list.contains("streams=selfies-*") && list.contains("verbs=append,read"), list);
        assertFalse(list.contains(secret.substring(21)), "list never shows a secret");
        assertFalse(Files.readString(data.resolve("server/tokens.json")).contains(secret.substring(21)));
        cli.run("token", "create", "--data", data.toString(), "--name", "selfie-bot", "--streams", "*", "--verbs", "read")
            .expect(Main.USAGE);
        cli.run("token", "create", "--data", data.toString(), "--name", "x", "--streams", "*", "--verbs", "delete")
            .expect(Main.USAGE);
        cli.run("token", "create", "--data", data.toString(), "--name", "y", "--verbs", "read").expect(Main.USAGE);
        cli.run("token", "create", "--data", data.toString(), "--name", "ops", "--verbs", "admin").expect(0);
        assertTrue(cli.run("token", "list", "--data", data.toString()).expect(0).out().contains("streams=*  verbs=admin"));
        cli.run("token", "create", "--data", data.toString(), "--name", "root", "--streams", "a-*", "--verbs", "admin")
            .expect(Main.USAGE);
        cli.run("token", "revoke", "--data", data.toString(), "selfie-bot").expect(0);
        assertTrue(cli.run("token", "list", "--data", data.toString()).expect(0).out().contains("REVOKED"));
        cli.run("token", "revoke", "--data", data.toString(), "selfie-bot").expect(Main.USAGE);
        String ops = cli.run("read", "--type", "ops.*").expect(0).out();
        assertTrue(ops.contains("ops.token_create") && ops.contains("ops.token_revoke"), ops);
    }

    @Test
    void shouldRefuseANonLoopbackBindWithoutInsecureBeforeMakingAnything() throws Exception {
        Path fresh = data.resolve("never-served");
        Cli.Result refused = new Cli(fresh).run("serve", "--bind", "0.0.0.0", "--port", "0").expect(Main.USAGE);
        assertTrue(refused.err().contains("bind: 0.0.0.0 is not a loopback address"), refused.err());
        assertTrue(!java.nio.file.Files.exists(fresh.resolve("journal")) && !java.nio.file.Files.exists(fresh.resolve("projections")),
            "a refused serve makes no ledger and no projections");
    }

    @Test
    void shouldFinishRequestsInFlightOnSigtermAndLoseNoAcknowledgedAppend() throws Exception {
        String token = new Cli(data).run("token", "create", "--data", data.toString(), "--name", "bot",
            "--streams", "selfies-*", "--verbs", "append").expect(0).out().strip();
        AtomicInteger acknowledged = new AtomicInteger();
        Set<String> acknowledgedIds = java.util.concurrent.ConcurrentHashMap.newKeySet();
        try (ChildJvm server = ChildJvm.start(Main.class, data.resolve("serve.err"), "serve", "--data", data.toString(),
                "--port", "0", "--no-projections")) {
            server.awaitLines(1, 120);
            String line = server.lines().get(0);
            int port = Integer.parseInt(line.replaceAll(".*http://[^:]+:(\\d+),.*", "$1"));
            HttpClient client = HttpClient.newHttpClient();
            CompletableFuture<Void> producers = CompletableFuture.allOf(java.util.stream.IntStream.range(1, 5)
                .mapToObj(p -> CompletableFuture.runAsync(() -> {
                    for (int i = 0; ; i++) {
                        String fileId = p + "-" + i;
                        try {
                            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                                    + "/streams/selfies-user-" + p)).header("Authorization", "Bearer " + token)
                                .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"selfie.submitted\",\"data\":{\"user_id\":"
                                    + p + ",\"media_type\":\"photo\",\"file_id\":\"" + fileId + "\",\"submitted_at\":\"2025-11-04T12:07:00Z\"}}"))
                                .build(), HttpResponse.BodyHandlers.ofString());
                            if (r.statusCode() == 200) {
                                acknowledged.incrementAndGet();
                                acknowledgedIds.add(fileId);
                            } else if (r.statusCode() != 503) {
                                throw new AssertionError(r.body());
                            }
                        } catch (IOException stopped) {
                            return;
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                })).toArray(CompletableFuture[]::new));
            await(() -> acknowledged.get() >= 500, Duration.ofSeconds(60),
                () -> acknowledged.get() + " acknowledged; stderr:\n" + server.stderrText());
            server.terminate();
            int exit = server.awaitExit(30);
            producers.get();
            assertTrue(exit == 0 || exit == 143, "exit " + exit + "; stderr:\n" + server.stderrText());
        }
        try (Ledger ledger = Ledger.open(data, LedgerConfig.defaults())) {
            Set<String> stored = new HashSet<>();
            for (RecordedEvent e : ledger.read(0, 1_000_000)) {
                if (e.type().equals("selfie.submitted")) {
                    stored.add(dev.indelible.projections.reference.DomainEvents.parse(e, dev.indelible.projections.proto.SelfieSubmitted.class)
                        .getFileId());
                }
            }
            assertTrue(stored.containsAll(acknowledgedIds), "every acknowledged append is stored");
            assertTrue(ledger.verify().ok());
            assertEquals(acknowledgedIds.size(), acknowledged.get());
        }
    }
}
