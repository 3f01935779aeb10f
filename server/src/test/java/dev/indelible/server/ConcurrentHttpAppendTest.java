package dev.indelible.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.indelible.ledger.RecordedEvent;
import dev.indelible.projections.DomainEvents;
import dev.indelible.projections.proto.SelfieSubmitted;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConcurrentHttpAppendTest {
    private static final int CLIENTS = 8;
    private static final int EACH = 2_500;

    @TempDir
    Path dir;

    @Test
    void shouldStoreEveryAppendOfConcurrentClientsDenseAndInEachClientsOrder() throws Exception {
        try (ServerFixture f = new ServerFixture(dir)) {
            String token = f.token("load", "selfies-*", Verb.APPEND);
            ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
            List<Future<Integer>> done = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                done.add(clients.submit(() -> {
                    Http http = new Http(f.server.port());
                    for (int i = 0; i < EACH; i++) {
                        Http.Response r = http.post("/streams/selfies-user-" + client, token, Http.selfie(client, client + "-" + i));
                        if (r.status() != 200) {
                            throw new AssertionError("client " + client + " append " + i + ": " + r);
                        }
                    }
                    return EACH;
                }));
            }
            int acknowledged = 0;
            for (Future<Integer> d : done) {
                acknowledged += d.get();
            }
            clients.shutdown();
            assertEquals(CLIENTS * EACH, acknowledged);

            List<RecordedEvent> all = f.ledger.read(0, CLIENTS * EACH + 10);
            assertEquals(CLIENTS * EACH, all.size());
            int[] next = new int[CLIENTS];
            for (int seq = 0; seq < all.size(); seq++) {
                RecordedEvent e = all.get(seq);
                assertEquals(seq, e.globalSeq(), "dense");
                SelfieSubmitted s = DomainEvents.parse(e, SelfieSubmitted.class);
                int client = (int) s.getUserId();
                assertEquals(client + "-" + next[client], s.getFileId(), "client " + client + "'s order");
                assertEquals(next[client], e.streamVersion());
                next[client]++;
            }
            for (int c = 0; c < CLIENTS; c++) {
                assertEquals(EACH, next[c]);
            }
        }
    }
}
