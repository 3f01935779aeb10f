package dev.indelible.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.indelible.ledger.AppendResult;
import dev.indelible.ledger.ExpectedVersion;
import dev.indelible.ledger.RecordedEvent;
import dev.indelible.projections.proto.SelfieSubmitted;
import dev.indelible.projections.reference.DomainEvents;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 8 gRPC clients x 10,000 appends and 4 HTTP clients x 2,500, all at once against one server:
 * exactly 90,000 events, dense, each client's events in its own order.
 */
@Tag("system")
class ConcurrentClientsTest {
    private static final int GRPC_CLIENTS = 8;
    private static final int GRPC_EACH = 10_000;
    private static final int HTTP_CLIENTS = 4;
    private static final int HTTP_EACH = 2_500;

    @TempDir
    Path dir;

    @Test
    void shouldStoreEveryAppendOfConcurrentGrpcAndHttpClientsDenseAndInEachClientsOrder() throws Exception {
        int clients = GRPC_CLIENTS + HTTP_CLIENTS;
        try (ServerFixture f = new ServerFixture(dir)) {
            String token = f.token("load", "selfies-*", Verb.APPEND);
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            List<Future<Integer>> done = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                done.add(pool.submit(c < GRPC_CLIENTS ? grpcClient(f, token, c) : httpClient(f, token, c)));
            }
            int acknowledged = 0;
            for (Future<Integer> d : done) {
                acknowledged += d.get();
            }
            pool.shutdown();
            int total = GRPC_CLIENTS * GRPC_EACH + HTTP_CLIENTS * HTTP_EACH;
            assertEquals(total, acknowledged);

            List<RecordedEvent> all = new ArrayList<>();
            while (all.size() < total + 1) {
                List<RecordedEvent> page = f.ledger.read(all.size(), 10_000);
                if (page.isEmpty()) {
                    break;
                }
                all.addAll(page);
            }
            assertEquals(total, all.size(), "exactly every acknowledged append");
            int[] next = new int[clients];
            for (int seq = 0; seq < all.size(); seq++) {
                RecordedEvent e = all.get(seq);
                assertEquals(seq, e.globalSeq(), "dense");
                SelfieSubmitted s = DomainEvents.parse(e, SelfieSubmitted.class);
                int client = (int) s.getUserId() - 1; // user ids are positive: client c is user c + 1
                assertEquals(client + "-" + next[client], s.getFileId(), "client " + client + "'s order");
                assertEquals(next[client], e.streamVersion());
                next[client]++;
            }
            for (int c = 0; c < clients; c++) {
                assertEquals(c < GRPC_CLIENTS ? GRPC_EACH : HTTP_EACH, next[c], "client " + c);
            }
        }
    }

    private static Callable<Integer> grpcClient(ServerFixture f, String token, int client) {
        return () -> {
            try (IndelibleClient ledger = IndelibleClient.connect("127.0.0.1", f.server.grpcPort(), token)) {
                for (int i = 0; i < GRPC_EACH; i++) {
                    AppendResult r = ledger.append("selfies-user-" + (client + 1), i == 0 ? ExpectedVersion.NO_STREAM : i - 1,
                        GrpcApiTest.selfie(client + 1, client + "-" + i));
                    if (!(r instanceof AppendResult.Appended)) {
                        throw new AssertionError("gRPC client " + client + " append " + i + ": " + r);
                    }
                }
            }
            return GRPC_EACH;
        };
    }

    private static Callable<Integer> httpClient(ServerFixture f, String token, int client) {
        return () -> {
            Http http = new Http(f.server.port());
            for (int i = 0; i < HTTP_EACH; i++) {
                Http.Response r = http.post("/streams/selfies-user-" + (client + 1) + "?expected_version=" + (i == 0 ? "new" : i - 1),
                    token, Http.selfie(client + 1, client + "-" + i));
                if (r.status() != 200) {
                    throw new AssertionError("HTTP client " + client + " append " + i + ": " + r);
                }
            }
            return HTTP_EACH;
        };
    }
}
